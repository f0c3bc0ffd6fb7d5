BBBB BBBB BBXXX gettext(u'Hello %(name)s,') SSSSS SSSSSSSSSXXXX
BBBBBBBB BBBBBBBBBBBBBBXXX gettext(u'We have assessed your request %(ref)s and will complete it by %(date)s.') SS SSSS SSSSSSSS SSSS SSSSSSS SSSSSSS SSS SSSS SSSSSSSS SS SS SSSSSSSSSXXXXBBBBBBBBBBB
XXXXX XXXXXXXX gettext(u'Follow it here:')  XXXXXXXX
