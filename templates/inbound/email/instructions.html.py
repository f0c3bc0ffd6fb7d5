BBBB BBBBXXX gettext(u'Hello,') XXXX
XXX gettext(u"We received your message to %(address)s, but we do not know your address as a customer's, so no request was opened.") SS SSSSSSSS SSSS SSSSSSS SS SSSSSSSSSSSS SSS SS SS SSS SSSS SSSS SSSSSSS SS S SSSSSSSSSSS SS SS SSSSSSS SSS SSSSSSSXXXX
XXX gettext(u'To get help:') XXXX
XXXX
  XXXX gettext(u'if your organisation is our customer, write from the address registered with us, or ask your colleague to add you;') XXXXX
  XXXX gettext(u'or create an account in the support portal, then file your request there or by email:')  XX XXXXXXXXXXXXXXXXX
XXXXX
XXX gettext(u'This is an automatic message; we send it at most once a day.') XXXX
