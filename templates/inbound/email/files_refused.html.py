BBBB BBBBXXX gettext(u'Hello %(name)s,') SSSSS SSSSSSSSSXXXX
XXX gettext(u'Your message was added to %(ref)s, but these files were not accepted:') SSSS SSSSSSS SSS SSSSS SS SSSSSSSS SSS SSSSS SSSSS SSSS SSS SSSSSSSSSXXXX
XXXXBBB BBBBB BBBBBB BB BBBBBBBXXXXXXXXXBBBBBBXXXXX
XXX gettext(u'You can send them again as a different kind of file or smaller, by replying to this email or on the portal:')  XX XXXXXXXXXXXXXXXX
