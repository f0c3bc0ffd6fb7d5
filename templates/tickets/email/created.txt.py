BBBB BBBB BBBBBBBBBBBB BBB gettext(u'Hello %(name)s,') SSSSS SSSSSSSSS

 gettext(u'We received your request. Its reference is %(ref)s; quote it when you call or write to us.') SS SSSSSSSS SSSS SSSSSSSS SSS SSSSSSSSS SS SSSSSSSS SSSSS SS SSSS SSS SSSS SS SSSSS SS SSS

 gettext(u'Subject') X 
BB BBBBBBBBBBBBBBBBBBBBBBBBBB BBBBBBBBBBBBBB gettext(u'Under your tariff we will answer by %(due)s.') SSSSS SSSS SSSSSS SS SSSS SSSSSS SS SSSSSSSSBBBBBBBBBBB
BBBBB
BB BBBBBBBBBBBBBB gettext(u'To add information or files, simply reply to this email.') 
BBBBB
 gettext(u'Follow it here:')  BBBBBBBBBBBBB
