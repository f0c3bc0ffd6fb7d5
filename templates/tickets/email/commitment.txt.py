BBBB BBBB BBBBBBBBBBBB BBB gettext(u'Hello %(name)s,') SSSSS SSSSSSSSS

BBBBBBBB BBBBBBBBBBBBBB gettext(u'We have assessed your request %(ref)s and will complete it by %(date)s.') SS SSSS SSSSSSSS SSSS SSSSSSS SSSSSSS SSS SSSS SSSSSSSS SS SS SSSSSSSSSBBBBBBBBBBB

 gettext(u'Follow it here:')  BBBBBBBBBBBBB
