"""Pydantic models of the objects inside a WhatsApp Cloud API ``messages`` webhook.

Only the fields Theke uses; unknown fields are ignored so new Graph API versions
parse. Each message, status and contact is validated on its own, so one item of
an unexpected shape costs only itself. Coordinates and prices must be finite
numbers: JSON allows ``NaN``, the database's JSON type does not.
See https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

__all__ = [
    "ButtonReply",
    "Contact",
    "Context",
    "Interactive",
    "ListReply",
    "Location",
    "MediaObject",
    "Message",
    "Metadata",
    "Order",
    "PlatformError",
    "ProductItem",
    "Referral",
    "SharedContact",
    "Status",
    "System",
    "TemplateButton",
]

_Finite = Annotated[float, Field(allow_inf_nan=False)]
_Id = Annotated[str, Field(min_length=1)]
_T = TypeVar("_T")


def _none_if_invalid(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return None


_Optional = Annotated[_T | None, WrapValidator(_none_if_invalid)]
"""A detail that is dropped, not the whole message, when its shape is unexpected."""


class _Object(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class Metadata(_Object):
    """Which of the business's numbers the change is for."""

    phone_number_id: str | None = None
    display_phone_number: str | None = None


class Profile(_Object):
    name: str | None = None


class Contact(_Object):
    """The customer as WhatsApp knows them: their id and profile name."""

    wa_id: _Id
    profile: _Optional[Profile] = None


class TextBody(_Object):
    body: str


class MediaObject(_Object):
    """An image, audio, video, document or sticker, fetched later by its media id."""

    id: _Id
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False
    animated: bool = False


class Location(_Object):
    latitude: _Finite
    longitude: _Finite
    name: str | None = None
    address: str | None = None
    url: str | None = None


class ButtonReply(_Object):
    id: _Id
    title: str | None = None


class ListReply(_Object):
    id: _Id
    title: str | None = None
    description: str | None = None


class Interactive(_Object):
    """A tap on a reply button (``button_reply``) or a list row (``list_reply``)."""

    type: str
    button_reply: ButtonReply | None = None
    list_reply: ListReply | None = None


class TemplateButton(_Object):
    """A tap on a template's quick-reply button."""

    payload: str | None = None
    text: str | None = None


class ReferredProduct(_Object):
    catalog_id: str | None = None
    product_retailer_id: str | None = None


class Context(_Object):
    """The message this one answers or refers to."""

    from_: str | None = Field(default=None, alias="from")
    id: str | None = None
    referred_product: _Optional[ReferredProduct] = None


class Referral(_Object):
    """A Click-to-WhatsApp ad the customer came from (first message only)."""

    source_url: str | None = None
    source_id: str | None = None
    source_type: str | None = None
    headline: str | None = None
    body: str | None = None
    ctwa_clid: str | None = None


class System(_Object):
    type: str | None = None
    wa_id: str | None = None
    body: str | None = None


class ContactName(_Object):
    formatted_name: str | None = None


class ContactPhone(_Object):
    phone: str | None = None
    wa_id: str | None = None


class SharedContact(_Object):
    """A vCard the customer shared: someone's card, not proof of their own number."""

    name: ContactName | None = None
    phones: list[ContactPhone] = Field(default_factory=list)


class ProductItem(_Object):
    product_retailer_id: str
    quantity: int = 1
    item_price: _Finite | None = None
    currency: str | None = None


class Order(_Object):
    """A cart sent from the business's catalog."""

    catalog_id: str | None = None
    text: str | None = None
    product_items: list[ProductItem] = Field(default_factory=list)


class PlatformError(_Object):
    code: int
    title: str | None = None


class Message(_Object):
    """One message a customer sent; ``type`` names the field that carries it."""

    from_: _Id = Field(alias="from")
    id: _Id
    type: str
    text: TextBody | None = None
    interactive: Interactive | None = None
    button: TemplateButton | None = None
    image: MediaObject | None = None
    audio: MediaObject | None = None
    video: MediaObject | None = None
    document: MediaObject | None = None
    sticker: MediaObject | None = None
    location: Location | None = None
    contacts: _Optional[list[SharedContact]] = None
    order: Order | None = None
    system: System | None = None
    context: _Optional[Context] = None
    referral: _Optional[Referral] = None
    errors: _Optional[list[PlatformError]] = None


class Status(_Object):
    """What happened to a message we sent."""

    id: _Id
    status: str
    recipient_id: _Id
    errors: list[PlatformError] = Field(default_factory=list)
