BBBB BBBBBBBBBBBBBB BBB gettext(u'Hello %(name)s,') SSSSS SSSSSSSSS

 gettext(u'Someone tried to create a helpdesk account with your email address, which already has one. If it was you and you forgot your password, reset it here:') 


 gettext(u'If it was not you, ignore this message; nothing has changed.') BBBBBBBBBBBBB
