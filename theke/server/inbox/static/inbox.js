// Live updates for the inbox pages. The pages work without this script: it only
// listens to /inbox/live and reloads the parts of the page that changed.
// No markup is built here: fresh parts come from the server's own (escaped) page.
"use strict";

(function () {
  const root = document.querySelector("[data-live]");
  if (!root || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  const conversation = root.dataset.conversation || null;
  const notice = document.getElementById("live-notice");
  const baseTitle = document.title;
  let timer = null;

  function showTitle(counts) {
    const waiting = counts && counts.waiting ? counts.waiting : 0;
    document.title = waiting ? "(" + waiting + ") " + baseTitle : baseTitle;
    for (const badge of document.querySelectorAll("[data-count]")) {
      const value = counts[badge.dataset.count];
      if (value !== undefined) {
        badge.textContent = String(value);
      }
    }
  }

  function tell(text) {
    if (notice) {
      notice.textContent = text;
    }
  }

  // A part is replaced unless the agent is working in it: typing, or a choice made.
  function busy(part) {
    for (const field of part.querySelectorAll("textarea, input, select")) {
      if (field === document.activeElement) {
        return true;
      }
      if (field.tagName === "SELECT") {
        for (const option of field.options) {
          if (option.selected !== option.defaultSelected) {
            return true;
          }
        }
      } else if (field.type !== "hidden" && field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  // What the agent opened (canned responses, the product picker) stays open.
  function keepOpen(part, replacement) {
    const opened = Array.from(part.querySelectorAll("details"), (item) => item.open);
    replacement.querySelectorAll("details").forEach((item, index) => {
      if (opened[index]) {
        item.open = true;
      }
    });
  }

  async function refresh() {
    // Marked as a refresh: it does not count as the agent using the session.
    const response = await fetch(window.location.href, {
      credentials: "same-origin",
      headers: { "X-Theke-Refresh": "1" },
    });
    if (response.redirected || !response.ok) {
      return;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const part of document.querySelectorAll("[data-refresh]")) {
      const replacement = fresh.getElementById(part.id);
      if (replacement && !busy(part)) {
        const copy = document.importNode(replacement, true);
        keepOpen(part, copy);
        part.replaceWith(copy);
      }
    }
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  }

  const source = new EventSource("/inbox/live");
  source.addEventListener("changed", function (event) {
    const data = JSON.parse(event.data);
    showTitle(data.counts);
    if (data.assigned_to_me.length) {
      tell("Dir wurde ein Gespräch gegeben.");
    } else if (data.handed_over.length) {
      tell(data.handed_over.length === 1
        ? "Ein Gespräch wartet neu auf eine Antwort."
        : data.handed_over.length + " Gespräche warten neu auf eine Antwort.");
    }
    if (!conversation || data.conversations.indexOf(conversation) !== -1) {
      later();
    }
  });
  source.addEventListener("signed_out", function () {
    source.close();
    window.location.reload();
  });
})();
