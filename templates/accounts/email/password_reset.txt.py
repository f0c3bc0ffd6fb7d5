BBBB BBBBBBBBBBBBBB BBB gettext(u'Follow this link to choose a new password:') 


 gettext(u'If you did not ask for this, ignore this message.') BBBBBBBBBBBBB
