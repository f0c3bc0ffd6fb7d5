BBBB BBBBXXX gettext(u'Hello %(name)s,') SSSSS SSSSSSSSSXXXX
XXX gettext(u'We have assessed your request %(ref)s and cannot do it, for this reason:') SS SSSS SSSSSSSS SSSS SSSSSSS SSSSSSS SSS SSSSSS SS SSS SSS SSSS SSSSSSSXXXX
XXXXXXXXXXXXFFFFFFFFFFFFXXXXXXXXXXXXX
XXXXX XXXXXXXX gettext(u'Follow it here:')  XXXXXXXX
