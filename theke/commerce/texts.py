"""What the shop says in the chat: the cart, checkout, orders, payments, shipping, restocks.

Each text exists in German with ``du``, German with ``Sie`` and English (other
languages get English). The dialogue's own texts include these, so an owner
replaces any of them with a response of the same key in ``responses/<lang>.yml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "SHOP_LABELS",
    "SHOP_TEXTS",
    "in_size",
    "pick_form",
    "shop_label",
    "shop_text",
    "shown_size",
]

# key → (German du, German Sie, English)
SHOP_TEXTS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "cart_added": (
            "{product} in Größe {size} liegt jetzt in deinem Warenkorb. Im Warenkorb: {summary}.",
            "{product} in Größe {size} liegt jetzt in Ihrem Warenkorb. Im Warenkorb: {summary}.",
            "{product} in size {size} is in your cart now. In your cart: {summary}.",
        ),
        "cart_which_size": (
            "In welcher Größe möchtest du den {product}?",
            "In welcher Größe möchten Sie den {product}?",
            "Which size would you like the {product} in?",
        ),
        "cart_size_sold_out": (
            "{product} ist in Größe {size} leider gerade ausverkauft. Soll ich dir Bescheid sagen, "
            "sobald er wieder da ist?",
            "{product} ist in Größe {size} leider gerade ausverkauft. Soll ich Ihnen Bescheid "
            "sagen, sobald er wieder da ist?",
            "{product} is sold out in size {size} right now. Shall I let you know when it's back?",
        ),
        "cart_sold_out": (
            "{product} ist leider gerade in keiner Größe lieferbar. Soll ich dir Bescheid sagen, "
            "sobald er wieder da ist?",
            "{product} ist leider gerade in keiner Größe lieferbar. Soll ich Ihnen Bescheid "
            "sagen, sobald er wieder da ist?",
            "{product} is sold out in every size right now. Shall I let you know when it's back?",
        ),
        "cart_similar": (
            "Ähnliche Modelle, die gerade da sind:",
            "Ähnliche Modelle, die gerade da sind:",
            "Similar models in stock right now:",
        ),
        "cart_product_gone": (
            "Diesen Artikel gibt es leider nicht mehr bei uns. Sag mir gern, was du suchst.",
            "Diesen Artikel gibt es leider nicht mehr bei uns. Sagen Sie mir gern, was Sie suchen.",
            "We no longer carry that item, sorry. Tell me what you're looking for.",
        ),
        "cart_empty": (
            "Dein Warenkorb ist noch leer. Sag mir, was du suchst, zum Beispiel "
            "„Laufschuhe unter 100 Euro“.",
            "Ihr Warenkorb ist noch leer. Sagen Sie mir, was Sie suchen, zum Beispiel "
            "„Laufschuhe unter 100 Euro“.",
            "Your cart is empty. Tell me what you're looking for, e.g. "
            "“running shoes under 100 euros”.",
        ),
        "cart_show": (
            "Dein Warenkorb:\n{lines}\nZwischensumme: {subtotal} (inkl. MwSt.)",
            "Ihr Warenkorb:\n{lines}\nZwischensumme: {subtotal} (inkl. MwSt.)",
            "Your cart:\n{lines}\nSubtotal: {subtotal} (incl. VAT)",
        ),
        "cart_removed": (
            "Ich habe {product} (Größe {size}) aus dem Warenkorb genommen.",
            "Ich habe {product} (Größe {size}) aus dem Warenkorb genommen.",
            "I've taken {product} (size {size}) out of your cart.",
        ),
        "cart_full": (
            "Mehr als {max} Positionen passen hier im Chat nicht in einen Warenkorb.",
            "Mehr als {max} Positionen passen hier im Chat nicht in einen Warenkorb.",
            "A cart here in the chat holds at most {max} lines.",
        ),
        "cart_dropped": (
            "{product} in Größe {size} ist inzwischen nicht mehr lieferbar; ich habe es aus dem "
            "Warenkorb genommen.",
            "{product} in Größe {size} ist inzwischen nicht mehr lieferbar; ich habe es aus dem "
            "Warenkorb genommen.",
            "{product} in size {size} is no longer available; I've taken it out of your cart.",
        ),
        "checkout_fulfilment": (
            "Sollen wir dir die Bestellung schicken, oder holst du sie im Laden ab?",
            "Sollen wir Ihnen die Bestellung schicken, oder holen Sie sie im Laden ab?",
            "Shall we ship your order, or will you pick it up in store?",
        ),
        "checkout_address": (
            "Wohin sollen wir liefern? Schreib mir bitte Name, Straße mit Hausnummer, PLZ und "
            "Ort in einer Nachricht.",
            "Wohin sollen wir liefern? Schreiben Sie mir bitte Name, Straße mit Hausnummer, PLZ "
            "und Ort in einer Nachricht.",
            "Where shall we deliver? Please send me your name, street and number, postcode and "
            "city in one message.",
        ),
        "checkout_saved_address": (
            "Sollen wir wieder an diese Adresse liefern?\n{postal}",
            "Sollen wir wieder an diese Adresse liefern?\n{postal}",
            "Shall we deliver to this address again?\n{postal}",
        ),
        "checkout_address_street": (
            "Da fehlt mir die Straße mit Hausnummer. Schreib die Adresse bitte so: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
            "Da fehlt mir die Straße mit Hausnummer. Schreiben Sie die Adresse bitte so: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
            "I'm missing the street and house number. Please write it like this: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
        ),
        "checkout_address_postcode": (
            "Da fehlt mir die Postleitzahl. Schreib die Adresse bitte so: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
            "Da fehlt mir die Postleitzahl. Schreiben Sie die Adresse bitte so: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
            "I'm missing the postcode. Please write it like this: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
        ),
        "checkout_address_city": (
            "Da fehlt mir der Ort. Schreib die Adresse bitte so: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
            "Da fehlt mir der Ort. Schreiben Sie die Adresse bitte so: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
            "I'm missing the city. Please write it like this: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
        ),
        "checkout_address_country": (
            "In welchem Land liegt das? Schreib das Land bitte dazu, zum Beispiel: "
            "Anna Muster, Bahnhofstrasse 5, 3600 Thun, Schweiz",
            "In welchem Land liegt das? Schreiben Sie das Land bitte dazu, zum Beispiel: "
            "Anna Muster, Bahnhofstrasse 5, 3600 Thun, Schweiz",
            "Which country is that in? Please add the country, e.g. "
            "Anna Muster, Bahnhofstrasse 5, 3600 Thun, Switzerland",
        ),
        "checkout_address_name": (
            "Für wen ist das Paket? Schreib bitte auch den Namen dazu, zum Beispiel: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
            "Für wen ist das Paket? Schreiben Sie bitte auch den Namen dazu, zum Beispiel: "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
            "Who is the parcel for? Please add the name too, e.g. "
            "Max Muster, Hauptstraße 5, 10115 Berlin",
        ),
        "checkout_no_shipping": (
            "Dorthin liefern wir leider nicht. Wir liefern nach: {countries}.",
            "Dorthin liefern wir leider nicht. Wir liefern nach: {countries}.",
            "We don't deliver there, sorry. We deliver to: {countries}.",
        ),
        "checkout_email": (
            "Soll die Bestellbestätigung auch per E-Mail kommen? Dann schreib mir deine "
            "E-Mail-Adresse.",
            "Soll die Bestellbestätigung auch per E-Mail kommen? Dann schreiben Sie mir Ihre "
            "E-Mail-Adresse.",
            "Would you like the order confirmation by e-mail as well? Then send me your e-mail "
            "address.",
        ),
        "checkout_saved_email": (
            "Die Bestellbestätigung schicke ich auch an {email}, passt das?",
            "Die Bestellbestätigung schicke ich auch an {email}, passt das?",
            "I'll also send the order confirmation to {email}, all right?",
        ),
        "checkout_email_invalid": (
            "Das sieht nicht nach einer E-Mail-Adresse aus. Schreib sie bitte so: "
            "name@beispiel.de, oder tipp auf „Ohne E-Mail“.",
            "Das sieht nicht nach einer E-Mail-Adresse aus. Schreiben Sie sie bitte so: "
            "name@beispiel.de, oder tippen Sie auf „Ohne E-Mail“.",
            "That doesn't look like an e-mail address. Please write it like name@example.com, "
            "or tap “No e-mail”.",
        ),
        "checkout_payment": (
            "Wie möchtest du bezahlen?",
            "Wie möchten Sie bezahlen?",
            "How would you like to pay?",
        ),
        "checkout_summary": (
            "Bitte prüf deine Bestellung:\n{lines}\n{shipping}\nGesamtsumme: {total} "
            "(inkl. {vat} MwSt.)\n\n{delivery}\nZahlung: {payment}{email}\n\nEs gelten unsere "
            "AGB und die Widerrufsbelehrung (Links unten). Mit „{button}“ bestellst du "
            "verbindlich.",
            "Bitte prüfen Sie Ihre Bestellung:\n{lines}\n{shipping}\nGesamtsumme: {total} "
            "(inkl. {vat} MwSt.)\n\n{delivery}\nZahlung: {payment}{email}\n\nEs gelten unsere "
            "AGB und die Widerrufsbelehrung (Links unten). Mit „{button}“ bestellen Sie "
            "verbindlich.",
            "Please check your order:\n{lines}\n{shipping}\nTotal: {total} (incl. {vat} VAT)"
            "\n\n{delivery}\nPayment: {payment}{email}\n\nOur terms and conditions and the "
            "cancellation policy apply (links below). “{button}” places a binding order.",
        ),
        "checkout_cancelled": (
            "Okay, ich habe die Bestellung abgebrochen. Dein Warenkorb bleibt gespeichert.",
            "Okay, ich habe die Bestellung abgebrochen. Ihr Warenkorb bleibt gespeichert.",
            "Okay, I've stopped the checkout. Your cart is kept.",
        ),
        "checkout_closed": (
            "Bestellen direkt hier im Chat geht bei uns leider noch nicht. Über den Link am "
            "Produkt kommst du in unseren Shop.",
            "Bestellen direkt hier im Chat geht bei uns leider noch nicht. Über den Link am "
            "Produkt kommen Sie in unseren Shop.",
            "Ordering right here in the chat isn't possible yet. The product's link takes you "
            "to our shop.",
        ),
        "checkout_changed": (
            "Seit der Zusammenfassung hat sich etwas geändert (Preis oder Verfügbarkeit). "
            "Bitte prüf sie noch einmal:",
            "Seit der Zusammenfassung hat sich etwas geändert (Preis oder Verfügbarkeit). "
            "Bitte prüfen Sie sie noch einmal:",
            "Something changed since the summary (a price or the stock). Please check it again:",
        ),
        "order_already": (
            "Diese Bestellung ist schon aufgegeben, sie kommt nicht doppelt.",
            "Diese Bestellung ist schon aufgegeben, sie kommt nicht doppelt.",
            "That order is placed already; it won't be placed twice.",
        ),
        "order_stale": (
            "Das ist ein älterer Bestell-Button. Tipp auf „Zur Kasse“, dann zeige ich dir die "
            "aktuelle Zusammenfassung.",
            "Das ist ein älterer Bestell-Button. Tippen Sie auf „Zur Kasse“, dann zeige ich "
            "Ihnen die aktuelle Zusammenfassung.",
            "That's an older order button. Tap “Checkout” and I'll show you the current summary.",
        ),
        "order_out_of_stock": (
            "Oh nein, {product} in Größe {size} ist gerade eben ausverkauft worden. Die "
            "Bestellung ist deshalb nicht aufgegeben; dein Warenkorb ist noch da.",
            "Oh nein, {product} in Größe {size} ist gerade eben ausverkauft worden. Die "
            "Bestellung ist deshalb nicht aufgegeben; Ihr Warenkorb ist noch da.",
            "Oh no, {product} in size {size} has just sold out. So the order isn't placed; your "
            "cart is still there.",
        ),
        "order_confirmed": (
            "Danke für deine Bestellung {number}! Hier ist deine Bestellbestätigung.",
            "Vielen Dank für Ihre Bestellung {number}! Hier ist Ihre Bestellbestätigung.",
            "Thank you for your order {number}! Here is your order confirmation.",
        ),
        "order_pay_online": (
            "Bezahl jetzt sicher über unseren Zahlungsdienstleister Stripe. Der Link gilt bis "
            "{until} Uhr; bis dahin halten wir die Ware für dich zurück.",
            "Bezahlen Sie jetzt sicher über unseren Zahlungsdienstleister Stripe. Der Link gilt "
            "bis {until} Uhr; bis dahin halten wir die Ware für Sie zurück.",
            "Pay securely now through our payment provider Stripe. The link is valid until "
            "{until}; we hold the goods for you until then.",
        ),
        "order_pay_invoice": (
            "Du zahlst bequem auf Rechnung: Sie kommt mit der Lieferung, zahlbar innerhalb von "
            "{days} Tagen.",
            "Sie zahlen bequem auf Rechnung: Sie kommt mit der Lieferung, zahlbar innerhalb von "
            "{days} Tagen.",
            "You pay by invoice: it comes with the delivery, payable within {days} days.",
        ),
        "order_pay_prepayment": (
            "Bitte überweise {total} an:\n{holder}\nIBAN: {iban}{bic}\nVerwendungszweck: {number}"
            "\nSobald das Geld da ist, schicken wir deine Bestellung los.",
            "Bitte überweisen Sie {total} an:\n{holder}\nIBAN: {iban}{bic}\nVerwendungszweck: "
            "{number}\nSobald das Geld da ist, schicken wir Ihre Bestellung los.",
            "Please transfer {total} to:\n{holder}\nIBAN: {iban}{bic}\nReference: {number}\n"
            "We'll ship your order as soon as the money arrives.",
        ),
        "order_payment_unavailable": (
            "Die Online-Zahlung klappt gerade leider nicht. Die Bestellung {number} ist deshalb "
            "storniert. Versuch es bitte später noch einmal oder wähl eine andere Zahlungsart.",
            "Die Online-Zahlung klappt gerade leider nicht. Die Bestellung {number} ist deshalb "
            "storniert. Versuchen Sie es bitte später noch einmal oder wählen Sie eine andere "
            "Zahlungsart.",
            "Online payment isn't working right now, sorry. So order {number} is cancelled. "
            "Please try again later or choose another way to pay.",
        ),
        "order_paid": (
            "Danke, deine Zahlung für die Bestellung {number} ist angekommen! Wir packen sie "
            "jetzt und sagen dir Bescheid, sobald sie unterwegs ist.",
            "Vielen Dank, Ihre Zahlung für die Bestellung {number} ist angekommen! Wir packen "
            "sie jetzt und sagen Ihnen Bescheid, sobald sie unterwegs ist.",
            "Thanks, your payment for order {number} has arrived! We're packing it now and "
            "will let you know when it's on its way.",
        ),
        "order_paid_after_cancel": (
            "Deine Zahlung für die Bestellung {number} ist angekommen, die Bestellung war aber "
            "schon storniert. Du bekommst das Geld zurück; jemand aus dem Team kümmert sich.",
            "Ihre Zahlung für die Bestellung {number} ist angekommen, die Bestellung war aber "
            "schon storniert. Sie bekommen das Geld zurück; jemand aus dem Team kümmert sich.",
            "Your payment for order {number} arrived, but the order had already been "
            "cancelled. You'll get the money back; someone from the team is taking care of it.",
        ),
        "order_unpaid_cancelled": (
            "Für die Bestellung {number} ist keine Zahlung angekommen, deshalb ist sie jetzt "
            "storniert. Dein Warenkorb ist noch da, falls du es noch einmal versuchen möchtest.",
            "Für die Bestellung {number} ist keine Zahlung angekommen, deshalb ist sie jetzt "
            "storniert. Ihr Warenkorb ist noch da, falls Sie es noch einmal versuchen möchten.",
            "No payment arrived for order {number}, so it is cancelled now. Your cart is still "
            "there if you'd like to try again.",
        ),
        "order_shipped": (
            "Deine Bestellung {number} ist unterwegs!{tracking}",
            "Ihre Bestellung {number} ist unterwegs!{tracking}",
            "Your order {number} is on its way!{tracking}",
        ),
        "order_ready": (
            "Deine Bestellung {number} liegt zum Abholen bereit: {store}.",
            "Ihre Bestellung {number} liegt zum Abholen bereit: {store}.",
            "Your order {number} is ready for pickup: {store}.",
        ),
        "order_delivered": (
            "Deine Bestellung {number} ist zugestellt. Viel Freude damit!",
            "Ihre Bestellung {number} ist zugestellt. Viel Freude damit!",
            "Your order {number} has been delivered. Enjoy!",
        ),
        "order_cancelled": (
            "Deine Bestellung {number} ist storniert.{reason} Bei Fragen schreib uns einfach hier.",
            "Ihre Bestellung {number} ist storniert.{reason} Bei Fragen schreiben Sie uns "
            "einfach hier.",
            "Your order {number} has been cancelled.{reason} If you have questions, just write "
            "to us here.",
        ),
        "cart_notify_confirmed": (
            "Mach ich: Sobald {product}{size} wieder da ist, sag ich dir einmal Bescheid. Mit "
            "„abmelden“ kannst du das jederzeit zurücknehmen.",
            "Gern: Sobald {product}{size} wieder da ist, sage ich Ihnen einmal Bescheid. Mit "
            "„abmelden“ können Sie das jederzeit zurücknehmen.",
            "Will do: once {product}{size} is back, I'll let you know, once. Send "
            "“unsubscribe” to take that back at any time.",
        ),
        "back_in_stock": (
            "Schön, dass du dich für {product} interessiert hast: jetzt wieder lieferbar{size}!",
            "Schön, dass Sie sich für {product} interessiert haben: jetzt wieder lieferbar{size}!",
            "Glad you were interested in {product}: it's back in stock{size}!",
        ),
        "recently_viewed": (
            "Du hast dir neulich {product} angesehen. Noch interessiert?",
            "Sie haben sich neulich {product} angesehen. Noch interessiert?",
            "You looked at {product} recently. Still interested?",
        ),
        "recommend_nothing": (
            "Gerade habe ich nichts in deiner Größe, das ich dir guten Gewissens empfehlen "
            "kann. Sag mir, was du suchst, dann schaue ich genauer.",
            "Gerade habe ich nichts in Ihrer Größe, das ich Ihnen guten Gewissens empfehlen "
            "kann. Sagen Sie mir, was Sie suchen, dann schaue ich genauer.",
            "I have nothing in your size right now that I'd honestly recommend. Tell me what "
            "you're looking for and I'll look closer.",
        ),
        "recommendations": (
            "Das könnte dir gefallen:",
            "Das könnte Ihnen gefallen:",
            "You might like these:",
        ),
    }
)

SHOP_LABELS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "checkout": ("Zur Kasse", "Zur Kasse", "Checkout"),
        "show_cart": ("Warenkorb", "Warenkorb", "View cart"),
        "keep_shopping": ("Weiter stöbern", "Weiter stöbern", "Keep browsing"),
        "notify": ("Bescheid sagen", "Bescheid sagen", "Notify me"),
        "delivery": ("Liefern", "Liefern", "Delivery"),
        "same_address": ("Ja, dorthin", "Ja, dorthin", "Yes, there"),
        "other_address": ("Andere Adresse", "Andere Adresse", "Other address"),
        "yes_email": ("Ja, passt", "Ja, passt", "Yes"),
        "other_email": ("Andere E-Mail", "Andere E-Mail", "Other e-mail"),
        "no_email": ("Ohne E-Mail", "Ohne E-Mail", "No e-mail"),
        "stripe": ("Online bezahlen", "Online bezahlen", "Pay online"),
        "invoice": ("Rechnung", "Rechnung", "Invoice"),
        "prepayment": ("Vorkasse", "Vorkasse", "Bank transfer"),
        "order": ("Zahlungspflichtig bestellen", "Zahlungspflichtig bestellen",
                  "Order with obligation to pay"),
        "order_short": ("Jetzt kaufen", "Jetzt kaufen", "Buy now"),
        "terms": ("AGB", "AGB", "Terms"),
        "withdrawal": ("Widerrufsbelehrung", "Widerrufsbelehrung", "Cancellation policy"),
        "pay_now": ("Jetzt bezahlen", "Jetzt bezahlen", "Pay now"),
        "track": ("Sendung verfolgen", "Sendung verfolgen", "Track parcel"),
        "add_to_cart": ("In den Warenkorb", "In den Warenkorb", "Add to cart"),
        "remove": ("{n} entfernen", "{n} entfernen", "Remove {n}"),
        "resize": ("{n}: andere Größe", "{n}: andere Größe", "{n}: other size"),
        "still_interested": ("Ja, zeig mal", "Ja, zeig mal", "Yes, show me"),
        "notify_title": (
            "Bescheid, wenn {product} wieder da ist",
            "Bescheid, wenn {product} wieder da ist",
            "When {product} is back",
        ),
        "payment_stripe": ("Online (Stripe)", "Online (Stripe)", "Online (Stripe)"),
        "payment_invoice": ("Rechnung", "Rechnung", "Invoice"),
        "payment_prepayment": ("Vorkasse (Überweisung)", "Vorkasse (Überweisung)",
                               "Bank transfer in advance"),
    }
)  # fmt: skip


def shop_text(key: str, language: str, address: str, **values: object) -> str:
    """The text ``key`` for the customer, filled in."""
    return pick_form(SHOP_TEXTS[key], language, address).format(**values)


def shop_label(key: str, language: str, address: str = "du", **values: object) -> str:
    """A button label of the shop's, filled in."""
    return pick_form(SHOP_LABELS[key], language, address).format(**values)


def pick_form(forms: tuple[str, str, str], language: str, address: str) -> str:
    """The German ``du`` or ``Sie`` form for German (and its regional variants), else English."""
    if _german(language):
        return forms[1] if address == "Sie" else forms[0]
    return forms[2]


def shown_size(size: str, language: str) -> str:
    """A size as the customer reads it ("42,5" in German); "" for "*" (any size)."""
    if size == "*":
        return ""
    return size.replace(".", ",") if _german(language) else size


def in_size(size: str, language: str) -> str:
    """ " in Größe 42,5" / " in size 42.5" to follow a product's name; "" for any size."""
    shown = shown_size(size, language)
    if not shown:
        return ""
    return f" {'in Größe' if _german(language) else 'in size'} {shown}"


def _german(language: str) -> bool:
    return language.replace("_", "-").split("-")[0].lower() == "de"
