BBBB BBBBBBBBBBBBBB BBB gettext(u'Hello %(name)s,') SSSSS SSSSSSSSS

 gettext(u'Your message was added to %(ref)s, but these files were not accepted:') SSSS SSSSSSS SSS SSSSS SS SSSSSSSS SSS SSSSS SSSSS SSSS SSS SSSSSSSSS
BBB BBBBB BBBBBB BB BBBBBBB
X BBBBBB

 gettext(u'You can send them again as a different kind of file or smaller, by replying to this email or on the portal:')  BBBBBBBBBBBBB
