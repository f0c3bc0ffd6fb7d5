BBBB BBBBBBBBBBBBBB BBB gettext(u'The customer asks for a call about %(ref)s: %(phone)s (%(when)s).') SSS SSSSSSSS SSSS SSS S SSSS SSSSS SSSSSSSS SSSSSSSSS SSSSSSSSSSS

BBBBBBBBBBBBB
