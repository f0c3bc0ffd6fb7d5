"""Function words that carry no topic, per language (in the folded, lower-case form the
analyser compares). Kept short on purpose: only words that appear in almost every text."""

RU = set("""
а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже
для до его ее ей если есть еще же за здесь и из или им их к как какой какая какие когда кто
ли либо мне мы на над надо наш не него нее нет ни них но ну о об однако он она они оно от
очень по под после при про с со так также там то тогда того тоже только том ту тут у уже
хотя чего чей чем что чтобы чье эта эти это этот я мой моя мои наши ваш ваша ваши свой
своя свои себя сам сама уж вдруг ведь вообще почему зачем пожалуйста здравствуйте добрый
день спасибо можно нужно
""".split())

PL = set("""
a aby ale bo by byc byl byla byli bylo chce czy dla do gdy gdzie i ich ile im ja jak jaki
jakie jako jest jestem jestesmy jej jego jeszcze jesli juz ktora ktore ktory kiedy lub ma
mam mamy mi mnie moj moja moje mozna my na nad nam nas nasz nasza nasze nie nic niz no o od
on ona one oni ono po pod przez przy sa sie so ta tak takze tam te tego tej ten to tu ty tylko
u w we wie wiec z za ze zeby ktos cos prosze dzien dobry dziekuje witam czesc
""".split())

EN = set("""
a about after all also am an and any are as at be been but by can could did do does doing
for from had has have having he her here him his how i if in into is it its just me my no
not of on or our out please so some than that the their them then there these they this
those to too up us very was we were what when where which who why will with would you your
hello hi thanks thank
""".split())

BY_LANGUAGE = {"ru": RU, "pl": PL, "en": EN}
