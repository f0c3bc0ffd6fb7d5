BBBB BBBBXXX gettext(u'Hello %(name)s,') SSSSS SSSSSSSSSXXXX
XXXXX XXXXXXXX gettext(u'Activate your helpdesk account') XXXXXXXX
XXX gettext(u'If you did not sign up, ignore this message.') XXXX
