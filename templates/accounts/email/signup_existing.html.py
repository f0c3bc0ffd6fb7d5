BBBB BBBBXXX gettext(u'Hello %(name)s,') SSSSS SSSSSSSSSXXXX
XXX gettext(u'Someone tried to create a helpdesk account with your email address, which already has one. If it was you and you forgot your password, reset it here:')  XX XXXXXXXXXXXXXXXX
XXX gettext(u'If it was not you, ignore this message; nothing has changed.') XXXX
