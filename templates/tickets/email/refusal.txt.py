BBBB BBBBBBBBBBBBBB BBB gettext(u'Hello %(name)s,') SSSSS SSSSSSSSS

 gettext(u'We have assessed your request %(ref)s and cannot do it, for this reason:') SS SSSS SSSSSSSS SSSS SSSSSSS SSSSSSS SSS SSSSSS SS SSS SSS SSSS SSSSSSS



 gettext(u'Follow it here:')  BBBBBBBBBBBBB
