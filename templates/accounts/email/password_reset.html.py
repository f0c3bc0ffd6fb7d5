BBBB BBBBXXXXX XXXXXXXX gettext(u'Follow this link to choose a new password:') XXXXXXXX
XXX gettext(u'If you did not ask for this, ignore this message.') XXXX
