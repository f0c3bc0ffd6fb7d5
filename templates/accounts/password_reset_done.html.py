BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBB BBBB
BBBBB BBBBBBB
XXX XXXXXXXXXXX gettext(u'Check your email') XXXXX
XXX gettext(u'If an account uses that address, we sent it a link to set a new password.') XXXX
BBBBBBBB
