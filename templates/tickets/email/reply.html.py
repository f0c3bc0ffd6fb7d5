BBBB BBBBXXX gettext(u'%(name)s replied:') SSSSSSSS SSSSSSSSXXXX
XXXXXXXXXXXXFFFFFFFFFFFFXXXXXXXXXXXXX
XXXXX XXXXXXXX gettext(u'Read the whole conversation and answer here:')  XXXXXXXX
