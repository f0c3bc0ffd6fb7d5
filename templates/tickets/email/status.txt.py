BBBB BBBBBBBBBBBBBB BBB gettext(u'Your request %(ref)s is now “%(status)s”.') SSSS SSSSSSS SSSSSSS SS SSS SSSSSSSSSSSSS
BB BBBBBBBBBBBBB BB BBBBBBBBB gettext(u'We need information from you to continue: please reply.') BBBBBBB BBBBBBBBBBBBB BB BBBBBBBBBB BBB BBBBBBBBBBBBBBBBBBBBBBBBB
 gettext(u'What was done') X

BB BBBBBBBBBBBBBBBBB
 gettext(u'How to prevent it') X

BBBBBBBBBB
 gettext(u'Follow it here:')  BBBBBBBBBBBBB
