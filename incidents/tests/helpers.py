from tickets import services as ticket_services

from .. import services


def declare(engineer, **extra):
    data = {
        "title_en": "Mail server outage", "title_ru": "Не работает почтовый сервер", "title_pl": "Awaria serwera poczty",
        "status_text_en": "Outgoing mail is not delivered. We are investigating.",
        "status_text_ru": "Исходящая почта не доставляется. Мы разбираемся.",
        "status_text_pl": "Poczta wychodząca nie jest dostarczana. Badamy sprawę.",
        "affects_everyone": True, **extra,
    }
    organisations = data.pop("organisations", ())
    editions = data.pop("editions", ())
    tariffs = data.pop("tariffs", ())
    return services.incident_declare(actor=engineer, data=data, organisations=organisations, editions=editions,
                                     tariffs=tariffs)


def file(customer, subject="Mail is not delivered", body="Outgoing mail stays in the queue.", **data):
    return ticket_services.ticket_create(
        requester=customer, data={"kind": "question", "subject": subject, "body": body, **data},
        language=customer.language or "en",
    )
