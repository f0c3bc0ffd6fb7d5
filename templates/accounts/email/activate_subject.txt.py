BBBB BBBBBBBBBBBBBB BBB gettext(u'Activate your helpdesk account') BBBBBBBBBBBBB
