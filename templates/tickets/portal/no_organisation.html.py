BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBB BBBB
BBBBB BBBBBBB
XXX XXXXXXXXXXX gettext(u'Your account is not linked to an organisation yet') XXXXX
XXX gettext(u'An administrator confirms who belongs to an existing organisation. You will be able to file requests once they have done so.') XXXX
BBBBBBBB
