/*!
 * Theke web chat widget. Plain JavaScript: no build step, no framework, no CDN.
 *
 * Embed with one line (the API base is this script's own origin unless data-server says else):
 *   <script src="https://HOST/widget.js" defer
 *           data-title="Sohle & Co." data-lang="de" data-accent="#0f766e"></script>
 *
 * Protocol and attributes: docs/widget.md. License: Apache-2.0.
 */
(function () {
  "use strict";

  if (window.ThekeWebchat) {
    return; // embedded twice: the first copy owns the page
  }

  // ---------------------------------------------------------------------------
  // Constants
  // ---------------------------------------------------------------------------

  var STORAGE_KEY = "theke.webchat.v1";
  var OPEN_KEY = "theke.webchat.v1.open";
  var TRANSPORT_KEY = "theke.webchat.v1.transport";
  var SEEN_KEY = "theke.webchat.v1.seen";
  var MAX_TEXT = 4000;
  var COUNTER_FROM = 3600;
  var DEFAULT_ACCENT = "#0f766e";
  var BACKOFF_BASE_MS = 1000;
  var BACKOFF_CAP_MS = 30000;
  var WS_READY_TIMEOUT_MS = 10000;
  var WS_FAILURES_BEFORE_POLLING = 2;
  var WS_PROBE_MS = 120000;
  var HEARTBEAT_MS = 25000;
  var SILENCE_LIMIT_MS = 50000;
  var POLL_TIMEOUT_MS = 40000;
  var REQUEST_TIMEOUT_MS = 15000;
  var TYPING_MAX_MS = 15000; // the typing dots never stay longer, reply or not

  var STRINGS = {
    de: {
      open: "Chat öffnen",
      close: "Chat schließen",
      dialog: "Chat mit {title}",
      log: "Chatverlauf",
      input: "Nachricht",
      placeholder: "Nachricht schreiben …",
      send: "Senden",
      you: "Du",
      agent: "Team",
      typing: "{name} schreibt …",
      connecting: "Verbinde …",
      online: "Online – wir antworten sofort",
      offline: "Keine Verbindung – neuer Versuch läuft …",
      sending: "wird gesendet",
      rejected: "Nicht gesendet: Der Server hat die Nachricht abgelehnt.",
      tooLong: "Nicht gesendet: Die Nachricht ist zu lang.",
      counter: "{n} von {max} Zeichen",
      suggestions: "Antwortvorschläge",
      carousel: "Produkte",
      carouselRole: "Karussell",
      slide: "{i} von {n}",
      prev: "Vorherige Karte",
      next: "Nächste Karte",
      newTab: "(öffnet in neuem Tab)",
      image: "Bild",
      file: "Datei",
      unsupported: "Diese Nachricht kann hier nicht angezeigt werden.",
      unread: "{n} neue Nachrichten",
      unreadOne: "1 neue Nachricht",
    },
    en: {
      open: "Open chat",
      close: "Close chat",
      dialog: "Chat with {title}",
      log: "Conversation",
      input: "Message",
      placeholder: "Write a message …",
      send: "Send",
      you: "You",
      agent: "Team",
      typing: "{name} is typing …",
      connecting: "Connecting …",
      online: "Online – we reply right away",
      offline: "No connection – trying again …",
      sending: "sending",
      rejected: "Not sent: the server refused the message.",
      tooLong: "Not sent: the message is too long.",
      counter: "{n} of {max} characters",
      suggestions: "Suggested replies",
      carousel: "Products",
      carouselRole: "carousel",
      slide: "{i} of {n}",
      prev: "Previous card",
      next: "Next card",
      newTab: "(opens in a new tab)",
      image: "Image",
      file: "File",
      unsupported: "This message cannot be shown here.",
      unread: "{n} new messages",
      unreadOne: "1 new message",
    },
  };

  var ICONS = {
    chat: "M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z",
    close: "M18 6 6 18M6 6l12 12",
    send: "M22 2 11 13M22 2l-7 20-4-9-9-4z",
    prev: "M15 18l-6-6 6-6",
    next: "M9 18l6-6-6-6",
    external: "M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6M15 3h6v6M10 14 21 3",
    phone:
      "M22 16.92v3a2 2 0 0 1-2.18 2 19.79 19.79 0 0 1-8.63-3.07 19.5 19.5 0 0 1-6-6 " +
      "19.79 19.79 0 0 1-3.07-8.67A2 2 0 0 1 4.11 2h3a2 2 0 0 1 2 1.72c.13.96.36 1.9.7 " +
      "2.81a2 2 0 0 1-.45 2.11L8.09 9.91a16 16 0 0 0 6 6l1.27-1.27a2 2 0 0 1 2.11-.45c.91" +
      ".34 1.85.57 2.81.7A2 2 0 0 1 22 16.92z",
    file: "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6",
  };

  // ---------------------------------------------------------------------------
  // Configuration from the script tag
  // ---------------------------------------------------------------------------

  function findScript() {
    var current = document.currentScript;
    if (current && current.src) {
      return current;
    }
    var scripts = document.querySelectorAll("script[src]");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js(?:[?#]|$)/.test(scripts[i].src)) {
        return scripts[i];
      }
    }
    return null;
  }

  function readConfig(script) {
    var data = script ? script.dataset : {};
    var own = script ? new URL(script.src, location.href).origin : location.origin;
    var server = httpUrl(data.server || "", location.href) || own;
    return {
      server: server.replace(/\/+$/, ""),
      title: (data.title || "Chat").slice(0, 80),
      lang: chooseLang(data.lang),
      accent: /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(data.accent || "")
        ? data.accent
        : DEFAULT_ACCENT,
    };
  }

  function chooseLang(wanted) {
    var lang = (wanted || navigator.language || "en").slice(0, 2).toLowerCase();
    return STRINGS[lang] ? lang : "en";
  }

  function translator(lang) {
    var table = STRINGS[lang];
    return function (key, vars) {
      return table[key].replace(/\{(\w+)\}/g, function (_, name) {
        return vars && vars[name] !== undefined ? String(vars[name]) : "";
      });
    };
  }

  // ---------------------------------------------------------------------------
  // Small helpers: URLs, colours, timing, storage
  // ---------------------------------------------------------------------------

  /** An absolute http(s) URL for `raw` (resolved against `base`), or null. */
  function httpUrl(raw, base) {
    if (typeof raw !== "string" || !raw) {
      return null;
    }
    try {
      var url = new URL(raw, base);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (_err) {
      return null; // not a URL at all: shown as plain text instead
    }
  }

  function telUrl(phone) {
    var digits = typeof phone === "string" ? phone.replace(/[^0-9+*#]/g, "") : "";
    return /[0-9]/.test(digits) ? "tel:" + digits : null;
  }

  function rgb(hex) {
    var h = hex.slice(1);
    if (h.length === 3) {
      h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    }
    return [0, 2, 4].map(function (i) {
      return parseInt(h.slice(i, i + 2), 16);
    });
  }

  function luminance(channels) {
    var lin = channels.map(function (c) {
      var s = c / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  }

  function themeVars(accent) {
    var c = rgb(accent);
    var light = luminance(c) > 0.4;
    var tint = function (alpha) {
      return "rgba(" + c.join(",") + "," + alpha + ")";
    };
    return (
      "--accent:" + accent + ";" +
      "--on-accent:" + (light ? "#111827" : "#ffffff") + ";" +
      "--accent-text:" + (light ? "#111827" : accent) + ";" +
      "--accent-soft:" + tint(0.08) + ";" +
      "--accent-ring:" + tint(0.28) + ";"
    );
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  function backoff(attempt) {
    var ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * Math.pow(2, attempt));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** The campaign that brought the visitor: the page's utm_* and ref parameters, if any. */
  function pageSource() {
    var found = {};
    var any = false;
    var params;
    try {
      params = new URLSearchParams(window.location.search);
    } catch (error) {
      return null;
    }
    ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "ref"].forEach(
      function (name) {
        var value = params.get(name);
        if (value) {
          found[name] = value.slice(0, 200);
          any = true;
        }
      }
    );
    if (!any) {
      return null;
    }
    found.page = window.location.pathname.slice(0, 200);
    return found;
  }

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join("");
  }

  function msSince(ts) {
    var at = Date.parse(ts);
    return isNaN(at) ? 0 : Date.now() - at;
  }

  // Storage can be blocked (privacy settings, sandboxed iframes): the chat then
  // still works for this page view, from memory.
  var memory = {};

  function storageGet(store, key) {
    try {
      return window[store].getItem(key);
    } catch (_err) {
      return memory[store + key] || null;
    }
  }

  function storageSet(store, key, value) {
    try {
      if (value === null) {
        window[store].removeItem(key);
      } else {
        window[store].setItem(key, value);
      }
    } catch (_err) {
      memory[store + key] = value;
    }
  }

  function loadSession() {
    var raw = storageGet("localStorage", STORAGE_KEY);
    try {
      var value = raw ? JSON.parse(raw) : null;
      if (value && typeof value.token === "string" && typeof value.customer_id === "string") {
        return { token: value.token, customer_id: value.customer_id };
      }
    } catch (_err) {
      // a damaged entry is the same as none: a new session replaces it
    }
    return null;
  }

  function saveSession(session) {
    storageSet("localStorage", STORAGE_KEY, session ? JSON.stringify(session) : null);
  }

  // ---------------------------------------------------------------------------
  // DOM helpers (text only ever goes in through textContent)
  // ---------------------------------------------------------------------------

  function h(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (key === "class") {
        node.className = value;
      } else if (key === "text") {
        node.textContent = value;
      } else if (key.slice(0, 2) === "on") {
        node.addEventListener(key.slice(2), value);
      } else {
        node.setAttribute(key, value === true ? "" : String(value));
      }
    });
    (children || []).forEach(function (child) {
      if (child) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function externalLink(href, label, className, t) {
    return h("a", { class: className, href: href, target: "_blank", rel: "noopener noreferrer" }, [
      label,
      h("span", { class: "sr", text: " " + t("newTab") }),
    ]);
  }

  var URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]}'"»“”’]+$/;

  /** Append `text` to `parent` as text nodes, with http(s) URLs as safe links. */
  function appendLinkified(parent, text, t) {
    var last = 0;
    var match;
    URL_IN_TEXT.lastIndex = 0;
    while ((match = URL_IN_TEXT.exec(text)) !== null) {
      var raw = match[0].replace(TRAILING_PUNCTUATION, "");
      var href = httpUrl(raw);
      if (!href) {
        continue;
      }
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      parent.appendChild(externalLink(href, raw, null, t));
      last = match.index + raw.length;
      URL_IN_TEXT.lastIndex = last;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // ---------------------------------------------------------------------------
  // Rendering the content model (see docs/widget.md for the JSON shapes)
  // ---------------------------------------------------------------------------

  function bubble(text, ctx) {
    if (typeof text !== "string" || !text) {
      return null;
    }
    var node = h("div", { class: "bubble" });
    appendLinkified(node, text, ctx.t);
    return node;
  }

  function removeSelf(event) {
    event.currentTarget.remove();
  }

  function actionButton(button, ctx) {
    var title = typeof button.title === "string" ? button.title : "";
    if (button.type === "postback" && title) {
      return h("button", {
        class: "action",
        type: "button",
        text: title,
        onclick: function () {
          ctx.postback(String(button.payload || title), title);
        },
      });
    }
    var href = button.type === "url" ? httpUrl(button.url) : null;
    if (href && title) {
      var link = externalLink(href, title, "action", ctx.t);
      link.appendChild(icon("external"));
      return link;
    }
    var tel = button.type === "call" ? telUrl(button.phone) : null;
    if (tel && title) {
      return h("a", { class: "action", href: tel }, [icon("phone"), title]);
    }
    return null;
  }

  function actions(buttons, ctx) {
    var nodes = (Array.isArray(buttons) ? buttons : [])
      .map(function (button) {
        return button && typeof button === "object" ? actionButton(button, ctx) : null;
      })
      .filter(Boolean);
    return nodes.length ? h("div", { class: "actions" }, nodes) : null;
  }

  function chips(replies, ctx) {
    var group = h("div", { class: "chips", role: "group", "aria-label": ctx.t("suggestions") });
    (Array.isArray(replies) ? replies : []).forEach(function (reply) {
      if (!reply || typeof reply.title !== "string" || !reply.title) {
        return;
      }
      group.appendChild(
        h("button", {
          class: "chip",
          type: "button",
          text: reply.title,
          onclick: function () {
            ctx.postback(String(reply.payload || reply.title), reply.title);
          },
        })
      );
    });
    return group.childNodes.length ? group : null;
  }

  function card(data, ctx, label) {
    var src = httpUrl(data.image_url, ctx.base);
    var href = httpUrl(data.url, ctx.base);
    var title = typeof data.title === "string" ? data.title : "";
    var image = src
      ? h("img", { class: "card-img", src: src, alt: "", loading: "lazy", onload: ctx.grew,
          onerror: removeSelf })
      : null;
    var heading = href ? externalLink(href, title, null, ctx.t) : title;
    return h(
      "div",
      { class: "card", role: "group", "aria-roledescription": label ? ctx.t("carouselRole") : null,
        "aria-label": label ? label + ": " + title : title },
      [
        image,
        h("div", { class: "card-body" }, [
          h("div", { class: "card-title" }, [heading]),
          typeof data.subtitle === "string" && data.subtitle
            ? h("div", { class: "card-sub", text: data.subtitle })
            : null,
          typeof data.price === "string" && data.price
            ? h("div", { class: "card-price", text: data.price })
            : null,
        ]),
        actions(data.buttons, ctx),
      ]
    );
  }

  function carousel(cards, ctx) {
    var list = (Array.isArray(cards) ? cards : []).filter(function (c) {
      return c && typeof c === "object";
    });
    if (!list.length) {
      return null;
    }
    var track = h("div", { class: "track", tabindex: "0", "aria-label": ctx.t("carousel") },
      list.map(function (data, i) {
        return card(data, ctx, ctx.t("slide", { i: i + 1, n: list.length }));
      })
    );
    var prev = navButton("prev", track, -1, ctx);
    var next = navButton("next", track, 1, ctx);
    var update = function () {
      var slack = 8; // scroll snapping may stop a few pixels from either end
      var max = track.scrollWidth - track.clientWidth - slack;
      prev.setAttribute("aria-disabled", String(track.scrollLeft <= slack));
      next.setAttribute("aria-disabled", String(track.scrollLeft >= max));
    };
    track.addEventListener("scroll", update, { passive: true });
    if (window.ResizeObserver) {
      new ResizeObserver(update).observe(track); // also runs when a hidden panel opens
    } else {
      ctx.later(update);
    }
    return h("div", { class: "carousel", role: "region", "aria-label": ctx.t("carousel") }, [
      prev,
      track,
      next,
    ]);
  }

  function navButton(name, track, direction, ctx) {
    return h("button", {
      class: "nav " + name,
      type: "button",
      "aria-label": ctx.t(name),
      "aria-disabled": "true",
      onclick: function (event) {
        if (event.currentTarget.getAttribute("aria-disabled") === "true") {
          return;
        }
        var first = track.firstElementChild;
        var step = first ? first.getBoundingClientRect().width + 10 : track.clientWidth;
        track.scrollBy({ left: direction * step, behavior: "smooth" });
      },
    }, [icon(name)]);
  }

  function media(data, ctx) {
    var src = httpUrl(data.url, ctx.base);
    if (!src) {
      return bubble(data.caption, ctx);
    }
    var caption = typeof data.caption === "string" && data.caption ? data.caption : null;
    var body;
    if (data.kind === "image") {
      var img = h("img", { src: src, alt: caption || ctx.t("image"), loading: "lazy",
        onload: ctx.grew });
      body = h("a", { href: src, target: "_blank", rel: "noopener noreferrer" }, [img]);
      img.addEventListener("error", function () {
        body.replaceChild(document.createTextNode(caption || ctx.t("image")), img);
        body.className = "file"; // an image that cannot load stays reachable as a link
      });
    } else if (data.kind === "video" || data.kind === "audio") {
      body = h(data.kind, { src: src, controls: true, preload: "metadata",
        "aria-label": caption || data.filename || data.kind });
    } else {
      var name = typeof data.filename === "string" && data.filename ? data.filename : ctx.t("file");
      body = externalLink(src, name, "file", ctx.t);
      body.insertBefore(icon("file"), body.firstChild);
    }
    return h("figure", { class: "media media-" + (data.kind || "file") }, [
      body,
      caption ? h("figcaption", { text: caption }) : null,
    ]);
  }

  /** The nodes that show one content JSON object. */
  function renderContent(content, ctx) {
    switch (content.type) {
      case "text":
        return [bubble(content.text, ctx)];
      case "quick_replies":
        return [bubble(content.text, ctx), chips(content.replies, ctx)];
      case "buttons":
        return [bubble(content.text, ctx), actions(content.buttons, ctx)];
      case "card":
        return [card(content, ctx, null)];
      case "carousel":
        return [carousel(content.cards, ctx)];
      case "media":
        return [media(content, ctx)];
      default:
        return [
          bubble(content.text, ctx) ||
            h("div", { class: "bubble muted", text: ctx.t("unsupported") }),
        ];
    }
  }

  // ---------------------------------------------------------------------------
  // Styles (inlined so that one script tag is all a shop needs)
  // ---------------------------------------------------------------------------

  var CSS = [
    ":host{all:initial}",
    "*,*::before,*::after{box-sizing:border-box}",
    "[hidden]{display:none!important}",
    ".root{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,",
    "sans-serif;color:#1f2937;-webkit-font-smoothing:antialiased;text-align:left}",
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;",
    "clip:rect(0 0 0 0);white-space:nowrap;border:0}",
    ".icon{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;",
    "stroke-linecap:round;stroke-linejoin:round;flex:none}",
    "button,a{font:inherit;-webkit-tap-highlight-color:transparent}",
    ":focus{outline:none}",
    ":focus-visible{outline:3px solid #111827;outline-offset:2px}",
    ".header :focus-visible,.launcher:focus-visible{outline-color:#fff;",
    "box-shadow:0 0 0 5px #111827}",

    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;",
    "height:60px;border:0;border-radius:50%;background:var(--accent);color:var(--on-accent);",
    "box-shadow:0 8px 24px rgba(15,23,42,.28);cursor:pointer;display:grid;",
    "place-items:center;transition:transform .15s ease}",
    ".launcher:hover{transform:scale(1.06)}",
    ".launcher .icon{width:28px;height:28px}",
    ".badge{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;",
    "border-radius:11px;background:#dc2626;color:#fff;font-size:12px;font-weight:700;",
    "line-height:22px;text-align:center;box-shadow:0 0 0 2px #fff}",

    ".panel{position:fixed;right:20px;bottom:92px;z-index:2147483000;width:384px;",
    "height:min(640px,calc(100vh - 116px));display:flex;flex-direction:column;",
    "background:#fff;border-radius:18px;overflow:hidden;",
    "box-shadow:0 18px 50px rgba(15,23,42,.24),0 2px 8px rgba(15,23,42,.08);",
    "animation:theke-in .18s ease-out}",
    "@keyframes theke-in{from{opacity:0;transform:translateY(12px) scale(.98)}",
    "to{opacity:1;transform:none}}",

    ".header{display:flex;align-items:center;gap:12px;padding:14px 10px 14px 16px;",
    "background:var(--accent);color:var(--on-accent)}",
    ".avatar{width:38px;height:38px;border-radius:50%;background:rgba(255,255,255,.22);",
    "display:grid;place-items:center;font-weight:700;font-size:17px;flex:none}",
    ".titles{flex:1;min-width:0}",
    ".title{margin:0;font-size:16px;font-weight:700;white-space:nowrap;overflow:hidden;",
    "text-overflow:ellipsis}",
    ".status{display:flex;align-items:center;gap:6px;font-size:12.5px;opacity:.92}",
    ".status::before{content:'';width:8px;height:8px;border-radius:50%;background:#4ade80}",
    ".status[data-state=connecting]::before{background:#fbbf24}",
    ".status[data-state=offline]::before{background:#f87171}",
    ".icon-btn{width:40px;height:40px;border:0;border-radius:12px;background:transparent;",
    "color:inherit;cursor:pointer;display:grid;place-items:center}",
    ".icon-btn:hover{background:rgba(255,255,255,.16)}",

    ".log{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:16px 14px 6px;",
    "background:#f5f6f8;display:flex;flex-direction:column;gap:4px}",
    ".row{display:flex;flex-direction:column;align-items:flex-start;gap:6px;max-width:100%}",
    ".row.customer{align-items:flex-end}",
    ".row.turn{margin-top:10px}",
    ".bubble{max-width:85%;padding:9px 13px;border-radius:18px;background:#fff;",
    "color:#111827;border:1px solid #e5e7eb;white-space:pre-wrap;overflow-wrap:anywhere;",
    "box-shadow:0 1px 1px rgba(15,23,42,.04)}",
    ".row:not(.customer) .bubble{border-bottom-left-radius:6px}",
    ".customer .bubble{background:var(--accent);color:var(--on-accent);",
    "border-color:transparent;border-bottom-right-radius:6px}",
    ".bubble a{color:var(--accent-text);text-decoration:underline;text-underline-offset:2px}",
    ".customer .bubble a{color:inherit}",
    ".bubble.muted{color:#6b7280;font-style:italic}",
    ".pending .bubble{opacity:.6}",
    ".failed .bubble{background:#fee2e2;color:#7f1d1d}",
    ".note{font-size:12px;color:#b91c1c}",

    ".actions{display:flex;flex-direction:column;gap:6px;width:min(85%,290px)}",
    ".action{display:flex;align-items:center;justify-content:center;gap:6px;min-height:40px;",
    "padding:8px 12px;border:1.5px solid var(--accent);border-radius:12px;background:#fff;",
    "color:var(--accent-text);font-size:14px;font-weight:600;text-decoration:none;",
    "cursor:pointer;text-align:center}",
    ".action:hover{background:var(--accent-soft)}",
    ".action .icon{width:16px;height:16px}",
    ".chips{align-self:stretch;display:flex;flex-wrap:wrap;justify-content:flex-end;gap:8px;",
    "margin-top:4px}",
    ".chip{padding:7px 14px;border:1.5px solid var(--accent);border-radius:999px;",
    "background:#fff;color:var(--accent-text);font-size:14px;font-weight:600;cursor:pointer}",
    ".chip:hover{background:var(--accent);color:var(--on-accent)}",

    ".carousel{position:relative;align-self:stretch}",
    ".track{display:flex;gap:10px;overflow-x:auto;scroll-snap-type:x mandatory;",
    "scroll-behavior:smooth;padding:2px 2px 10px;scrollbar-width:none}",
    ".track::-webkit-scrollbar{display:none}",
    ".card{flex:0 0 232px;width:232px;display:flex;flex-direction:column;background:#fff;",
    "border:1px solid #e5e7eb;border-radius:16px;overflow:hidden;scroll-snap-align:start}",
    ".row>.card{max-width:85%}",
    ".card-img{display:block;width:100%;aspect-ratio:1.91/1;object-fit:cover;background:#eef2f4}",
    ".card-body{flex:1;padding:10px 12px 2px}",
    ".card-title{font-weight:700;font-size:15px}",
    ".card-title a{color:inherit;text-decoration:none}",
    ".card-title a:hover{text-decoration:underline}",
    ".card-sub{margin-top:2px;color:#4b5563;font-size:13.5px}",
    ".card-price{margin-top:6px;color:var(--accent-text);font-weight:700}",
    ".card .actions{width:auto;padding:10px 12px 12px}",
    ".nav{position:absolute;top:36%;z-index:1;width:36px;height:36px;border:1px solid #e5e7eb;",
    "border-radius:50%;background:#fff;color:#111827;cursor:pointer;display:grid;",
    "place-items:center;box-shadow:0 2px 10px rgba(15,23,42,.18)}",
    ".nav.prev{left:-6px}.nav.next{right:-6px}",
    ".nav[aria-disabled=true]{cursor:default}",
    ".nav[aria-disabled=true]:not(:focus-visible){opacity:0;pointer-events:none}",

    ".media{margin:0;max-width:85%}",
    ".media img{display:block;width:240px;max-width:100%;height:auto;border-radius:16px;",
    "border:1px solid #e5e7eb;background:#fff}",
    ".media video{display:block;max-width:100%;border-radius:16px}",
    ".media audio{display:block;max-width:260px}",
    ".media figcaption{margin-top:4px;color:#4b5563;font-size:13px}",
    ".file{display:flex;align-items:center;gap:8px;padding:10px 13px;border-radius:14px;",
    "background:#fff;border:1px solid #e5e7eb;color:var(--accent-text);font-weight:600;",
    "text-decoration:none}",

    ".typing{display:flex;gap:5px;width:max-content;margin:4px 14px 8px;padding:12px 14px;",
    "background:#fff;border:1px solid #e5e7eb;border-radius:18px;border-bottom-left-radius:6px}",
    ".typing i{width:7px;height:7px;border-radius:50%;background:#9ca3af;",
    "animation:theke-dot 1.2s infinite ease-in-out}",
    ".typing i:nth-child(2){animation-delay:.15s}.typing i:nth-child(3){animation-delay:.3s}",
    "@keyframes theke-dot{0%,60%,100%{transform:none;opacity:.5}",
    "30%{transform:translateY(-4px);opacity:1}}",
    ".log-wrap{flex:1;min-height:0;display:flex;flex-direction:column;background:#f5f6f8}",

    ".composer{display:flex;align-items:flex-end;gap:8px;padding:10px 12px 12px;",
    "border-top:1px solid #e5e7eb;background:#fff}",
    ".input{flex:1;min-height:42px;max-height:140px;resize:none;padding:10px 12px;",
    "border:1px solid #d1d5db;border-radius:14px;background:#fff;color:#111827;",
    "font:inherit;line-height:1.4}",
    ".input:focus-visible,.input:focus{outline:none;border-color:var(--accent);",
    "box-shadow:0 0 0 3px var(--accent-ring)}",
    ".send{flex:none;width:42px;height:42px;border:0;border-radius:14px;",
    "background:var(--accent);color:var(--on-accent);cursor:pointer;display:grid;",
    "place-items:center}",
    ".send:disabled{opacity:.4;cursor:default}",
    ".counter{padding:0 14px 8px;background:#fff;color:#6b7280;font-size:12px;",
    "text-align:right}",

    "@media (max-width:480px){",
    ".panel{inset:0;width:100%;height:100%;border-radius:0;animation:none}",
    ".root.open .launcher{display:none}",
    ".input{font-size:16px}",
    "}",
    "@media (prefers-reduced-motion:reduce){",
    "*{animation:none!important;transition:none!important;scroll-behavior:auto!important}",
    "}",
  ].join("");

  /** A constructed style sheet passes a shop's strict CSP (style-src) where <style> may not. */
  function adoptStyles(shadow, css) {
    if ("adoptedStyleSheets" in shadow && typeof CSSStyleSheet.prototype.replaceSync === "function") {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [sheet];
    } else {
      shadow.appendChild(h("style", { text: css }));
    }
  }

  // ---------------------------------------------------------------------------
  // The view: launcher, panel, message log, composer
  // ---------------------------------------------------------------------------

  function View(config, handlers) {
    this.config = config;
    this.handlers = handlers;
    this.t = translator(config.lang);
    this.isOpen = false;
    this.unread = 0;
    this.rows = {}; // client_id -> the row of a message this tab sent
    this.lastSender = null;
    this.typingTimer = null;
    this.bootedAt = Date.now();
    this.lastId = null;
    // The history replays up to the last message the visitor saw; only later ones are unread.
    this.seenId = storageGet("localStorage", SEEN_KEY);
    this.catchingUp = this.seenId !== null;
    this.build();
  }

  View.prototype.build = function () {
    var t = this.t;
    var title = this.config.title;
    this.host = h("div", { id: "theke-webchat", "data-theke": "webchat" });
    this.shadow = this.host.attachShadow({ mode: "open" });
    adoptStyles(this.shadow, ".root{" + themeVars(this.config.accent) + "}" + CSS);

    this.badge = h("span", { class: "badge", hidden: true, "aria-hidden": "true" });
    this.launcherLabel = h("span", { class: "sr" });
    this.launcher = h("button", {
      class: "launcher",
      type: "button",
      "aria-controls": "theke-panel",
      "aria-expanded": "false",
      onclick: this.toggle.bind(this),
    }, [icon("chat"), this.launcherLabel, this.badge]);

    this.status = h("div", { class: "status", "data-state": "connecting", text: t("connecting") });
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite",
      "aria-label": t("log"), tabindex: "0" });
    this.typing = h("div", { class: "typing", role: "status", hidden: true }, [
      h("i"), h("i"), h("i"),
      h("span", { class: "sr", text: t("typing", { name: title }) }),
    ]);
    this.panel = h("div", {
      id: "theke-panel", class: "panel", role: "dialog", "aria-labelledby": "theke-title",
      hidden: true, onkeydown: this.onPanelKey.bind(this),
    }, [
      h("div", { class: "header" }, [
        h("div", { class: "avatar", "aria-hidden": "true", text: title.charAt(0).toUpperCase() }),
        h("div", { class: "titles" }, [
          h("h2", { class: "title", id: "theke-title", text: title }),
          this.status,
        ]),
        h("button", { class: "icon-btn", type: "button", "aria-label": t("close"),
          onclick: this.close.bind(this) }, [icon("close")]),
      ]),
      h("div", { class: "log-wrap" }, [this.log, this.typing]),
      this.buildComposer(),
    ]);

    this.root = h("div", { class: "root", lang: this.config.lang }, [this.launcher, this.panel]);
    this.shadow.appendChild(this.root);
    this.root.addEventListener("keydown", this.onRootKey.bind(this));
    this.renderLauncher();
    document.body.appendChild(this.host);
  };

  View.prototype.buildComposer = function () {
    var t = this.t;
    this.input = h("textarea", {
      class: "input", id: "theke-input", rows: "1", maxlength: String(MAX_TEXT),
      placeholder: t("placeholder"), "aria-label": t("input"), autocomplete: "off",
      enterkeyhint: "send",
    });
    this.input.addEventListener("input", this.onInput.bind(this));
    this.input.addEventListener("keydown", this.onInputKey.bind(this));
    this.sendButton = h("button", { class: "send", type: "submit", disabled: true,
      "aria-label": t("send") }, [icon("send")]);
    this.counter = h("div", { class: "counter", hidden: true, "aria-live": "polite" });
    var form = h("form", { class: "composer", onsubmit: this.onSubmit.bind(this) }, [
      this.input,
      this.sendButton,
    ]);
    return h("div", {}, [form, this.counter]);
  };

  // --- opening and closing -------------------------------------------------

  View.prototype.open = function (focus) {
    if (!this.isOpen) {
      this.isOpen = true;
      this.panel.hidden = false;
      this.root.classList.add("open");
      this.unread = 0;
      this.renderLauncher();
      this.catchingUp = false;
      this.markSeen();
      storageSet("sessionStorage", OPEN_KEY, "1");
      this.scrollToEnd(true);
      this.handlers.opened();
    }
    if (focus !== false) {
      this.input.focus();
    }
  };

  View.prototype.close = function () {
    if (!this.isOpen) {
      return;
    }
    this.isOpen = false;
    this.panel.hidden = true;
    this.root.classList.remove("open");
    this.renderLauncher();
    storageSet("sessionStorage", OPEN_KEY, null);
    this.launcher.focus();
  };

  View.prototype.toggle = function () {
    if (this.isOpen) {
      this.close();
    } else {
      this.open(true);
    }
  };

  View.prototype.renderLauncher = function () {
    var t = this.t;
    this.launcher.replaceChild(icon(this.isOpen ? "close" : "chat"), this.launcher.firstChild);
    this.launcher.setAttribute("aria-expanded", String(this.isOpen));
    var unread = this.unread === 1 ? t("unreadOne") : t("unread", { n: this.unread });
    this.launcherLabel.textContent =
      (this.isOpen ? t("close") : t("open")) + (this.unread ? ", " + unread : "");
    this.badge.hidden = this.isOpen || this.unread === 0;
    this.badge.textContent = this.unread > 9 ? "9+" : String(this.unread);
  };

  View.prototype.onRootKey = function (event) {
    if (event.key === "Escape" && this.isOpen) {
      event.stopPropagation();
      this.close();
    }
  };

  /** Full-screen on small screens: keep Tab inside the panel there. */
  View.prototype.onPanelKey = function (event) {
    if (event.key !== "Tab" || !window.matchMedia("(max-width: 480px)").matches) {
      return;
    }
    var focusable = Array.prototype.filter.call(
      this.panel.querySelectorAll("button, a[href], textarea, [tabindex='0']"),
      function (node) {
        return !node.disabled && node.getClientRects().length > 0;
      }
    );
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    var active = this.shadow.activeElement;
    if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };

  // --- the composer ----------------------------------------------------------

  View.prototype.onInput = function () {
    var input = this.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 140) + "px";
    this.sendButton.disabled = !input.value.trim();
    var length = input.value.length;
    this.counter.hidden = length < COUNTER_FROM;
    this.counter.textContent = this.t("counter", {
      n: length.toLocaleString(this.config.lang),
      max: MAX_TEXT.toLocaleString(this.config.lang),
    });
  };

  View.prototype.onInputKey = function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.onSubmit(event);
    }
  };

  View.prototype.onSubmit = function (event) {
    event.preventDefault();
    var text = this.input.value.trim();
    if (!text) {
      return;
    }
    this.input.value = "";
    this.onInput();
    this.handlers.sendText(text.slice(0, MAX_TEXT));
  };

  // --- the message log ---------------------------------------------------------

  View.prototype.context = function () {
    var self = this;
    return {
      t: this.t,
      base: this.config.server + "/",
      postback: function (payload, title) {
        self.handlers.sendPostback(payload, title);
      },
      grew: function () {
        self.scrollToEnd(false);
      },
      later: function (fn) {
        window.requestAnimationFrame(fn);
      },
    };
  };

  View.prototype.senderLabel = function (sender) {
    if (sender === "customer") {
      return this.t("you");
    }
    return sender === "agent" ? this.config.title + " – " + this.t("agent") : this.config.title;
  };

  View.prototype.appendRow = function (sender, content, message) {
    var nodes = renderContent(content, this.context()).filter(Boolean);
    var row = h("div", { class: "row " + sender }, [
      h("span", { class: "sr", text: this.senderLabel(sender) + ": " }),
    ].concat(nodes));
    if (sender !== this.lastSender) {
      row.classList.add("turn");
    }
    if (message && message.ts && !isNaN(Date.parse(message.ts))) {
      row.title = new Date(message.ts).toLocaleString(this.config.lang);
    }
    this.lastSender = sender;
    var stick = sender === "customer" || this.nearEnd();
    this.log.appendChild(row);
    this.scrollToEnd(stick);
    return row;
  };

  /** Show a message from the server (history or live), at most once. */
  View.prototype.showMessage = function (message) {
    var content = message.content;
    if (content.type === "typing") {
      var seconds = Math.max(0, Number(content.seconds) || 0);
      if (msSince(message.ts) < seconds * 1000 + 2000) {
        this.showTyping(seconds * 1000);
      }
      return;
    }
    var sender = message.from === "customer" || message.from === "agent" ? message.from : "bot";
    if (sender === "customer") {
      this.removeChips();
    } else {
      this.hideTyping();
    }
    var mine = sender === "customer" && message.client_id ? this.rows[message.client_id] : null;
    if (mine) {
      this.confirm(message.client_id); // this tab's own message: already on screen
    } else {
      var row = this.appendRow(sender, content, message);
      if (sender === "customer" && message.client_id) {
        this.rows[message.client_id] = row; // sent from another tab: later echoes are the same
      }
    }
    this.countUnread(message, sender);
  };

  View.prototype.countUnread = function (message, sender) {
    this.lastId = message.id;
    if (this.isOpen) {
      this.catchingUp = false;
    }
    if (this.catchingUp) {
      this.catchingUp = message.id !== this.seenId;
      return;
    }
    if (this.isOpen || sender === "customer") {
      this.markSeen();
      return;
    }
    // without a record of what was seen, only what arrives after the page loaded is new
    if (this.seenId !== null || msSince(message.ts) < Date.now() - this.bootedAt) {
      this.unread += 1;
      this.renderLauncher();
    }
  };

  View.prototype.markSeen = function () {
    if (this.lastId !== null && !this.catchingUp) {
      this.seenId = this.lastId;
      storageSet("localStorage", SEEN_KEY, this.lastId);
    }
  };

  /** Show what this tab just sent, before the server confirms it. */
  View.prototype.showPending = function (clientId, text) {
    this.removeChips();
    var row = this.appendRow("customer", { type: "text", text: text }, null);
    row.classList.add("pending");
    row.appendChild(h("span", { class: "sr", text: " (" + this.t("sending") + ")" }));
    this.rows[clientId] = row;
    this.showTyping(TYPING_MAX_MS);
  };

  View.prototype.confirm = function (clientId) {
    var row = this.rows[clientId];
    if (row && row.classList.contains("pending")) {
      row.classList.remove("pending");
      row.removeChild(row.lastChild);
    }
  };

  View.prototype.reject = function (clientId, tooLong) {
    var row = this.rows[clientId];
    if (!row) {
      return;
    }
    this.confirm(clientId);
    row.classList.add("failed");
    row.appendChild(h("div", { class: "note", text: this.t(tooLong ? "tooLong" : "rejected") }));
    this.hideTyping();
  };

  View.prototype.removeChips = function () {
    var hadFocus = this.shadow.activeElement && this.shadow.activeElement.classList.contains("chip");
    Array.prototype.forEach.call(this.log.querySelectorAll(".chips"), function (group) {
      group.parentNode.removeChild(group);
    });
    if (hadFocus) {
      this.input.focus();
    }
  };

  /** A new customer (the old token was refused): forget what the old one saw. */
  View.prototype.reset = function () {
    var self = this;
    Array.prototype.forEach.call(this.log.querySelectorAll(".row:not(.pending)"), function (row) {
      self.log.removeChild(row);
    });
    Object.keys(this.rows).forEach(function (clientId) {
      if (!self.rows[clientId].isConnected) {
        delete self.rows[clientId];
      }
    });
    this.lastSender = null;
    this.lastId = null;
    this.seenId = null;
    this.catchingUp = false;
    storageSet("localStorage", SEEN_KEY, null);
  };

  View.prototype.showTyping = function (ms) {
    var self = this;
    window.clearTimeout(this.typingTimer);
    var stick = this.nearEnd();
    this.typing.hidden = false;
    this.scrollToEnd(stick);
    this.typingTimer = window.setTimeout(function () {
      self.hideTyping();
    }, Math.min(Math.max(ms, 1000), TYPING_MAX_MS));
  };

  View.prototype.hideTyping = function () {
    window.clearTimeout(this.typingTimer);
    this.typing.hidden = true;
  };

  View.prototype.nearEnd = function () {
    var log = this.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  };

  View.prototype.scrollToEnd = function (force) {
    if (force || this.nearEnd()) {
      this.log.scrollTop = this.log.scrollHeight;
    }
  };

  View.prototype.setStatus = function (state) {
    this.status.setAttribute("data-state", state);
    this.status.textContent = this.t(state);
  };

  // ---------------------------------------------------------------------------
  // The connection: session, WebSocket with reconnect, HTTP long-poll fallback
  // ---------------------------------------------------------------------------

  function Connection(server, events) {
    this.server = server;
    this.events = events; // message(msg), accepted(clientId), rejected(clientId, status),
    //                       status(state), reset()
    this.session = loadSession();
    this.cursor = null;
    this.seen = {};
    this.outbox = []; // [{frame, inFlight}] in the order the visitor sent them
    this.mode =
      "WebSocket" in window && storageGet("sessionStorage", TRANSPORT_KEY) !== "poll" ? "ws" : "poll";
    this.socket = null;
    this.socketReady = false;
    this.wsFailures = 0;
    this.attempt = 0;
    this.retryTimer = null;
    this.probeTimer = null;
    this.heartbeat = null;
    this.lastHeard = 0;
    this.polling = null; // AbortController of the running poll loop
    this.pollHealthy = false;
    this.started = false;
    this.creating = null; // the pending POST /webchat/sessions, shared by all callers
    this.wsEverReady = false;
  }

  Connection.prototype.hasSession = function () {
    return this.session !== null;
  };

  Connection.prototype.start = function () {
    if (this.started) {
      return;
    }
    this.started = true;
    var wake = this.wake.bind(this);
    window.addEventListener("online", wake);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        wake();
      }
    });
    this.connect();
    if (this.mode === "poll") {
      this.scheduleProbe();
    }
  };

  /** Reconnect now instead of waiting out the backoff (back online, tab visible again). */
  Connection.prototype.wake = function () {
    if (this.retryTimer !== null) {
      window.clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.attempt = 0;
      this.connect();
    }
  };

  Connection.prototype.connect = function () {
    var self = this;
    this.events.status("connecting");
    this.ensureSession().then(
      function () {
        if (self.mode === "ws") {
          self.openSocket(false);
        } else {
          self.startPolling();
        }
      },
      function () {
        self.events.status("offline");
        self.retryLater();
      }
    );
  };

  Connection.prototype.retryLater = function () {
    var self = this;
    if (this.retryTimer !== null) {
      return;
    }
    this.retryTimer = window.setTimeout(function () {
      self.retryTimer = null;
      self.connect();
    }, backoff(this.attempt));
    this.attempt += 1;
  };

  Connection.prototype.request = function (method, path, body, signal, timeoutMs) {
    var controller = new AbortController();
    var timer = window.setTimeout(function () {
      controller.abort();
    }, timeoutMs || REQUEST_TIMEOUT_MS);
    if (signal) {
      signal.addEventListener("abort", function () {
        controller.abort();
      });
    }
    var headers = { Accept: "application/json" };
    if (body !== null) {
      headers["Content-Type"] = "application/json";
    }
    if (this.session) {
      headers.Authorization = "Bearer " + this.session.token;
    }
    return fetch(this.server + path, {
      method: method,
      headers: headers,
      body: body === null ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      signal: controller.signal,
    }).finally(function () {
      window.clearTimeout(timer);
    });
  };

  Connection.prototype.ensureSession = function () {
    var self = this;
    if (this.session) {
      return Promise.resolve(this.session);
    }
    if (!this.creating) {
      this.creating = this.request("POST", "/webchat/sessions", {}, null)
        .then(function (response) {
          if (response.status !== 201) {
            throw new Error("session refused: " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (!data || typeof data.token !== "string" || typeof data.customer_id !== "string") {
            throw new Error("session answer without token");
          }
          self.session = { token: data.token, customer_id: data.customer_id };
          saveSession(self.session);
          return self.session;
        })
        .finally(function () {
          self.creating = null;
        });
    }
    return this.creating;
  };

  /** The server refused our token (expired, other server, erased): start as a new visitor. */
  Connection.prototype.forgetSession = function () {
    this.session = null;
    this.cursor = null;
    this.seen = {};
    saveSession(null);
    this.events.reset();
  };

  Connection.prototype.receive = function (message, cursor) {
    if (typeof cursor === "string") {
      this.cursor = cursor;
    }
    if (!message || typeof message.id !== "string" || this.seen[message.id]) {
      return;
    }
    if (!message.content || typeof message.content !== "object") {
      return;
    }
    this.seen[message.id] = true;
    if (message.from === "customer" && message.client_id) {
      this.settle(message.client_id);
    }
    this.events.message(message);
  };

  // --- sending ---------------------------------------------------------------

  Connection.prototype.send = function (frame) {
    this.outbox.push({ frame: frame, inFlight: false });
    this.flush();
  };

  Connection.prototype.settle = function (clientId) {
    var before = this.outbox.length;
    this.outbox = this.outbox.filter(function (item) {
      return item.frame.client_id !== clientId;
    });
    if (this.outbox.length !== before) {
      this.events.accepted(clientId);
    }
  };

  Connection.prototype.flush = function () {
    var self = this;
    this.outbox.forEach(function (item) {
      if (item.inFlight) {
        return;
      }
      if (self.socket && self.socketReady) {
        item.inFlight = self.socket;
        var frame = { type: "send" };
        Object.keys(item.frame).forEach(function (key) {
          frame[key] = item.frame[key];
        });
        self.socket.send(JSON.stringify(frame));
      } else if (self.mode === "poll" && self.pollHealthy && self.session) {
        self.post(item);
      }
    });
  };

  Connection.prototype.post = function (item) {
    var self = this;
    var clientId = item.frame.client_id;
    item.inFlight = true;
    this.request("POST", "/webchat/messages", item.frame, null).then(
      function (response) {
        item.inFlight = false;
        if (response.status === 202) {
          self.settle(clientId);
        } else if (response.status === 401) {
          self.forgetSession();
          self.restartPolling();
        } else if (response.status >= 400 && response.status < 500) {
          self.drop(clientId, response.status);
        } else {
          self.retryFlush();
        }
      },
      function () {
        item.inFlight = false;
        self.retryFlush();
      }
    );
  };

  Connection.prototype.drop = function (clientId, status) {
    this.outbox = this.outbox.filter(function (item) {
      return item.frame.client_id !== clientId;
    });
    this.events.rejected(clientId, status);
  };

  Connection.prototype.retryFlush = function () {
    var self = this;
    window.setTimeout(function () {
      self.flush();
    }, backoff(1));
  };

  /** Messages handed to a socket that died unconfirmed go out again (client_id dedupes). */
  Connection.prototype.requeue = function (socket) {
    this.outbox.forEach(function (item) {
      if (item.inFlight === socket) {
        item.inFlight = false;
      }
    });
  };

  // --- WebSocket -----------------------------------------------------------------

  Connection.prototype.socketUrl = function () {
    return this.server.replace(/^http/, "ws") + "/webchat/ws";
  };

  Connection.prototype.openSocket = function (probe) {
    var self = this;
    var socket;
    try {
      socket = new WebSocket(this.socketUrl());
    } catch (_err) {
      this.socketFailed(probe); // a URL the browser refuses (mixed content, CSP)
      return;
    }
    var state = { ready: false, unauthorized: false, probe: probe, done: false };
    var readyTimer = window.setTimeout(function () {
      self.dropSocket(socket, state);
    }, WS_READY_TIMEOUT_MS);
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "hello", token: self.session.token, after: self.cursor }));
    };
    socket.onmessage = function (event) {
      self.lastHeard = Date.now();
      var frame = parseFrame(event.data);
      if (frame && frame.type === "ready") {
        window.clearTimeout(readyTimer);
      }
      self.onFrame(socket, state, frame);
    };
    socket.onclose = function (event) {
      window.clearTimeout(readyTimer);
      state.unauthorized = state.unauthorized || event.code === 4401;
      self.dropSocket(socket, state);
    };
  };

  function parseFrame(data) {
    try {
      var frame = JSON.parse(data);
      return frame && typeof frame === "object" ? frame : null;
    } catch (_err) {
      return null; // not JSON: ignored like an unknown frame type
    }
  }

  Connection.prototype.onFrame = function (socket, state, frame) {
    if (!frame) {
      return;
    }
    if (frame.type === "ready") {
      this.socketOpened(socket, state);
    } else if (frame.type === "message") {
      this.receive(frame.message, frame.cursor);
    } else if (frame.type === "accepted" && typeof frame.client_id === "string") {
      this.settle(frame.client_id);
    } else if (frame.type === "error") {
      this.onErrorFrame(socket, state, frame);
    }
  };

  /** The server answers each send frame in order, so an error belongs to the oldest one. */
  Connection.prototype.onErrorFrame = function (socket, state, frame) {
    if (frame.code === "unauthorized") {
      state.unauthorized = true;
      return;
    }
    if (frame.code === "bad_cursor") {
      this.cursor = null; // replay from the start; ids already shown are skipped
      return;
    }
    var clientId = typeof frame.client_id === "string" ? frame.client_id : null;
    for (var i = 0; !clientId && i < this.outbox.length; i++) {
      if (this.outbox[i].inFlight === socket) {
        clientId = this.outbox[i].frame.client_id;
      }
    }
    if (clientId && state.ready) {
      this.drop(clientId, frame.code === "too_large" ? 413 : 400);
    }
  };

  Connection.prototype.socketOpened = function (socket, state) {
    state.ready = true;
    if (this.socket && this.socket !== socket) {
      this.socket.close(1000);
    }
    this.socket = socket;
    this.socketReady = true;
    this.mode = "ws";
    storageSet("sessionStorage", TRANSPORT_KEY, null);
    this.wsFailures = 0;
    this.wsEverReady = true;
    this.attempt = 0;
    this.stopPolling();
    this.startHeartbeat(socket, state);
    this.events.status("online");
    this.flush();
  };

  Connection.prototype.startHeartbeat = function (socket, state) {
    var self = this;
    window.clearInterval(this.heartbeat);
    this.lastHeard = Date.now();
    this.heartbeat = window.setInterval(function () {
      if (Date.now() - self.lastHeard > SILENCE_LIMIT_MS) {
        self.dropSocket(socket, state); // a half-open connection: nothing heard for too long
      } else if (socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "ping" }));
      }
    }, HEARTBEAT_MS);
  };

  /** The one place a socket ends: decide between reconnect, new session, or polling. */
  Connection.prototype.dropSocket = function (socket, state) {
    if (state.done) {
      return;
    }
    state.done = true;
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
      socket.close(1000);
    }
    this.requeue(socket);
    if (this.socket === socket) {
      this.socket = null;
      this.socketReady = false;
      window.clearInterval(this.heartbeat);
    }
    if (state.unauthorized) {
      this.forgetSession();
      this.stopPolling();
      this.connect();
    } else if (state.ready) {
      this.events.status("connecting");
      this.retryLater();
    } else {
      this.socketFailed(state.probe);
    }
  };

  Connection.prototype.socketFailed = function (probe) {
    if (probe) {
      this.scheduleProbe();
      return;
    }
    this.wsFailures += 1;
    if (!this.wsEverReady && this.wsFailures >= WS_FAILURES_BEFORE_POLLING) {
      this.mode = "poll";
      storageSet("sessionStorage", TRANSPORT_KEY, "poll"); // next page view: poll at once
      this.startPolling();
      this.scheduleProbe();
    } else {
      this.retryLater();
    }
  };

  /** While polling, try the WebSocket again now and then: the network may allow it now. */
  Connection.prototype.scheduleProbe = function () {
    var self = this;
    window.clearTimeout(this.probeTimer);
    this.probeTimer = window.setTimeout(function () {
      if (self.mode === "poll" && self.session && "WebSocket" in window) {
        self.openSocket(true);
      }
    }, WS_PROBE_MS);
  };

  // --- HTTP long-poll --------------------------------------------------------------

  Connection.prototype.startPolling = function () {
    if (this.polling) {
      return;
    }
    var controller = new AbortController();
    this.polling = controller;
    this.pollLoop(controller, 0);
  };

  Connection.prototype.stopPolling = function () {
    if (this.polling) {
      this.polling.abort();
      this.polling = null;
    }
    this.pollHealthy = false;
  };

  Connection.prototype.restartPolling = function () {
    this.stopPolling();
    this.connect();
  };

  Connection.prototype.pollLoop = function (controller, failures) {
    var self = this;
    if (controller.signal.aborted) {
      return;
    }
    var path = "/webchat/messages" + (this.cursor ? "?after=" + encodeURIComponent(this.cursor) : "");
    this.request("GET", path, null, controller.signal, POLL_TIMEOUT_MS)
      .then(function (response) {
        if (response.status === 401) {
          self.polling = null;
          self.forgetSession();
          self.connect();
          return null;
        }
        if (response.status === 400) {
          self.cursor = null; // a cursor this server did not give out: start over, deduped
        }
        if (!response.ok) {
          throw new Error("poll answered " + response.status);
        }
        return response.json().then(function (data) {
          self.pollSucceeded(data);
          self.pollLoop(controller, 0);
        });
      })
      .catch(function () {
        if (controller.signal.aborted) {
          return;
        }
        self.pollHealthy = false;
        self.events.status("offline");
        window.setTimeout(function () {
          self.pollLoop(controller, failures + 1);
        }, backoff(failures));
      });
  };

  Connection.prototype.pollSucceeded = function (data) {
    var self = this;
    (Array.isArray(data.messages) ? data.messages : []).forEach(function (message) {
      self.receive(message, null);
    });
    if (typeof data.cursor === "string") {
      this.cursor = data.cursor;
    }
    if (!this.pollHealthy) {
      this.pollHealthy = true;
      this.attempt = 0;
      this.events.status("online");
    }
    this.flush();
  };

  // ---------------------------------------------------------------------------
  // Wiring
  // ---------------------------------------------------------------------------

  function boot() {
    var config = readConfig(findScript());
    var connection = new Connection(config.server, {
      message: function (message) {
        view.showMessage(message);
      },
      accepted: function (clientId) {
        view.confirm(clientId);
      },
      rejected: function (clientId, status) {
        view.reject(clientId, status === 413);
      },
      status: function (state) {
        view.setStatus(state);
      },
      reset: function () {
        view.reset();
      },
    });
    var source = pageSource();
    var sendFrame = function (frame, shown) {
      frame.client_id = newClientId();
      if (source) {
        frame.source = source; // where the visitor came from: once, with the first message
        source = null;
      }
      view.showPending(frame.client_id, shown);
      connection.start();
      connection.send(frame);
    };
    var view = new View(config, {
      opened: function () {
        connection.start();
      },
      sendText: function (text) {
        sendFrame({ text: text }, text);
      },
      sendPostback: function (payload, title) {
        sendFrame({ postback: payload, title: title }, title);
      },
    });

    if (connection.hasSession()) {
      connection.start(); // a returning visitor: show history and new replies at once
    }
    if (storageGet("sessionStorage", OPEN_KEY) === "1") {
      view.open(false);
    }
    document.addEventListener("click", function (event) {
      var trigger = event.target instanceof Element && event.target.closest("[data-theke-open]");
      if (trigger) {
        event.preventDefault();
        view.open(true);
      }
    });
    window.ThekeWebchat = {
      open: function () {
        view.open(true);
      },
      close: function () {
        view.close();
      },
    };
  }

  window.ThekeWebchat = { open: function () {}, close: function () {} };
  if (document.body) {
    boot();
  } else {
    document.addEventListener("DOMContentLoaded", boot);
  }
})();
