BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBB BBBB
BBBBB BBBBB gettext(u'Check your email') BBBBBBBB
BBBBB BBBBBBB
XXX XXXXXXXXXXX gettext(u'Check your email') XXXXX
XXX gettext(u'We sent a message to the address you gave. Follow the link in it to activate your account.') XXXX
BBBBBBBB
