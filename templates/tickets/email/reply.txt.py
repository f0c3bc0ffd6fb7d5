BBBB BBBBBBBBBBBBBB BBB gettext(u'%(name)s replied:') SSSSSSSS SSSSSSSS



 gettext(u'Read the whole conversation and answer here:')  BBBBBBBBBBBBB
