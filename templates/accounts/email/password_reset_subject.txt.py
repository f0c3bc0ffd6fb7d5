BBBB BBBBBBBBBBBBBB BBB gettext(u'Reset your helpdesk password') BBBBBBBBBBBBB
