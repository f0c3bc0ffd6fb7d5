BBBB BBBBBBBBBBBBBB BBB gettext(u'Someone tried to sign up with your address') BBBBBBBBBBBBB
