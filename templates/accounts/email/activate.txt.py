BBBB BBBBBBBBBBBBBB BBB gettext(u'Hello %(name)s,') SSSSS SSSSSSSSS

 gettext(u'Follow this link to activate your helpdesk account:') 


 gettext(u'If you did not sign up, ignore this message.') BBBBBBBBBBBBB
