BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBB BBBB
BBBBB BBBBB gettext(u'Activate your account') BBBBBBBB
BBBBB BBBBBBB
BB BBBBB
  XXX XXXXXXXXXXX gettext(u'Activate your account') XXXXX
  XXXXX XXXXXXXXXXXXXXBBBBBBBBBBXXXXXXX XXXXXXXXXX XXXXXXXXXXXXX gettext(u'Activate my account') XXXXXXXXXXXXXXXX
BBBB
  XXX XXXXXXXXXXX gettext(u'This link does not work') XXXXX
  XXX gettext(u'The activation link is invalid or was already used. Try logging in, or sign up again.') XXXX
BBBBB
BBBBBBBB
