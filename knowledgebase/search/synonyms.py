"""Common support vocabulary: colloquial, borrowed and abbreviated words customers use
for the words help articles use. Written from general support-desk knowledge (hosting,
CMS, e-commerce, mail, billing), not from any evaluation query.

Each line is a group of equivalent phrases separated by "|"; a phrase found in a query
also matches any other phrase of its group. Phrases are analysed by the same code as
articles, so inflected forms match too ("админку", "админки" → "админка").
"""

from functools import lru_cache
from itertools import pairwise

from .text import terms

GROUPS = {
    "ru": """
        админка | админ-панель | панель администратора | панель администрирования | административная панель | бэкенд сайта
        бэкап | бекап | backup | резервная копия | резервное копирование
        бэкапить | бекапить | сделать резервную копию
        логин | авторизация | вход
        залогиниться | авторизоваться | войти
        пасс | пассворд | пароль
        мейл | мыло | емейл | имейл | email | e-mail | электронная почта
        почтовик | почтовый клиент | outlook | thunderbird
        ящик | почтовый ящик | мейлбокс
        сайт | веб-сайт | вебсайт
        домен | доменное имя
        днс | dns
        ssl | ссл | сертификат ssl | https
        хостинг | хост | сервер
        панель управления | панель хостинга | cpanel | isp manager
        плагин | модуль | расширение | дополнение | аддон
        шаблон | тема оформления | дизайн сайта | скин
        лицензия | лицуха
        ключ | лицензионный ключ | серийный номер | серийник
        обновление | обновить | апгрейд | update
        оплата | платеж | плата
        платежка | платежный шлюз | платежная система | эквайринг
        счет | инвойс
        возврат | рефанд | вернуть деньги
        корзина | корзина покупателя
        заказ | покупка
        баг | глюк | ошибка
        тормозит | тормоза | медленно | долго грузится
        кэш | кеш | cache
        фото | картинка | изображение
        загрузить | залить | закачать | upload
        скачать | выгрузить | download
        удалить | снести | стереть
        спам | spam
        редирект | перенаправление | переадресация
        вордпресс | wordpress
        вк | вконтакте
        телега | телеграм | telegram
        смс | sms
        двухфакторная аутентификация | 2fa | двухэтапная проверка
        ип | ip-адрес | айпи
        фтп | ftp | sftp
        бд | база данных | mysql
        пхп | php
        капча | captcha | recaptcha
    """,
    "pl": """
        panel admina | panel administracyjny | panel administratora | zaplecze | admin
        backup | bekap | kopia zapasowa | kopia bezpieczeństwa
        login | logowanie | zalogować
        hasło | pass
        mail | mejl | email | e-mail | poczta elektroniczna
        skrzynka | skrzynka pocztowa | skrzynka mailowa
        klient poczty | program pocztowy | outlook | thunderbird
        strona | witryna | serwis
        domena | adres strony
        dns | rekordy dns
        ssl | certyfikat ssl | https
        hosting | serwer
        panel klienta | panel hostingu | cpanel | directadmin
        wtyczka | plugin | dodatek | rozszerzenie | moduł
        szablon | motyw | skórka | template
        licencja | klucz licencyjny | numer seryjny | serial
        aktualizacja | update | apdejt | upgrade
        płatność | zapłata | opłata
        bramka płatności | bramka płatnicza | operator płatności | przelewy24 | payu
        faktura | fv | rachunek
        zwrot | zwrot pieniędzy | refund
        zamówienie | order
        koszyk | cart
        błąd | bug | error
        wolno | zamula | muli | długo się ładuje
        cache | pamięć podręczna
        zdjęcie | obrazek | grafika | fotka
        wgrać | wrzucić | upload | przesłać
        pobrać | ściągnąć | download
        usunąć | skasować
        przekierowanie | redirect
        fejs | fb | facebook
        insta | instagram
        sms | esemes
        weryfikacja dwuetapowa | 2fa | uwierzytelnianie dwuskładnikowe
        baza danych | baza | mysql
        captcha | recaptcha
    """,
    "en": """
        admin panel | admin area | admin dashboard | administration panel | backend | back office
        backup | back up | backups | restore point
        login | log in | sign in | signin | logon
        logout | log out | sign out
        password | pass | pwd | passcode
        email | e-mail | mail
        mailbox | inbox | email account
        mail client | email client | outlook | thunderbird
        website | site | web site
        domain | domain name
        ssl | tls | https | ssl certificate
        hosting | server | host
        control panel | hosting panel | cpanel
        add-ons | addons | add-on | plugins | plugin | extensions | extension | modules | module
        theme | template | skin
        license key | serial number | serial | product key | activation key
        update | upgrade | patch
        payment | pay
        payment gateway | payment provider | payment processor | stripe | paypal
        invoice | bill | receipt
        refund | money back | chargeback
        order | purchase
        cart | basket | shopping cart
        bug | glitch | error
        slow | sluggish | laggy | takes ages
        cache | cached
        image | picture | photo | pic
        upload | put up
        download | grab
        delete | remove | erase
        spam | junk
        redirect | forwarding
        fb | facebook
        2fa | two-factor | two factor authentication | mfa | otp
        db | database | mysql
        captcha | recaptcha
    """,
}


def _phrase(raw, language):
    """(terms, gaps): the terms of a phrase and the distance from each to the next."""
    found = terms(raw, language)
    values = tuple(value for value, _ in found)
    gaps = tuple(b[1] - a[1] for a, b in pairwise(found))
    return values, gaps


@lru_cache(maxsize=4)
def table(language):
    """{term tuple: [(alternative terms, gaps)]} for one language."""
    result = {}
    for line in GROUPS.get(language, "").strip().splitlines():
        phrases = [p for p in (_phrase(raw, language) for raw in line.split("|")) if p[0]]
        for phrase, _ in phrases:
            alternatives = result.setdefault(phrase, [])
            for other in phrases:
                if other[0] != phrase and other not in alternatives:
                    alternatives.append(other)
    return result


@lru_cache(maxsize=4)
def longest_key(language):
    return max((len(key) for key in table(language)), default=1)
