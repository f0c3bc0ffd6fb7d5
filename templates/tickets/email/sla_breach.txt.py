BBBB BBBB BBBBBBBBBBBB BBB gettext(u'The “%(target)s” deadline of %(ref)s (%(subject)s) was missed. The ticket is now at level %(level)s.') SSS SSSSSSSSSSSS SSSSSSSS SS SSSSSSS SSSSSSSSSSSSS SSS SSSSSSS SSS SSSSSS SS SSS SS SSSSS SSSSSSSSSS
 gettext(u'Was due') X FFFFFFFFFFFFFF FFFF XXX

BBBBBBBBBBBBB
