BBBB BBBB BBXXX gettext(u'Hello %(name)s,') SSSSS SSSSSSSSSXXXX
XXX gettext(u'We received your request. Its reference is %(ref)s; quote it when you call or write to us.') SS SSSSSSSS SSSS SSSSSSSS SSS SSSSSSSSS SS SSSSSSSS SSSSS SS SSSS SSS SSSS SS SSSSS SS SSSXXXX
XXX gettext(u'Subject') X XXXX
BB BBBBBBBBBBBBBBBBBBXXXBBBBBBBB BBBBBBBBBBBBBB gettext(u'Under your tariff we will answer by %(due)s.') SSSSS SSSS SSSSSS SS SSSS SSSSSS SS SSSSSSSSBBBBBBBBBBBXXXXBBBBB
XXXXX XXXXXXXX gettext(u'Follow it here:')  XXXXXXXX
BB BBBBBBBBBBBBBBXXX gettext(u'To add information or files, simply reply to this email.') XXXXBBBBB
