// The invite card: the room's link, a Copy button and a QR code for phones.
// The QR code is drawn here, offline, by the vendored uqr library (vendor/uqr.mjs).
import { renderSVG } from "./vendor/uqr.mjs";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Sets up the card for the link in `link`; returns show(url), which puts another room's link in
 * it (stage 09: the page goes on to a room it has just created, without loading again).
 */
export function setUpInvite({ link, copyButton, copyStatus, qr, lanHint }) {
  const show = (url) => {
    link.value = url;
    copyStatus.textContent = "";
    // renderSVG returns markup built from numbers only; parsing it as SVG (not HTML) keeps it inert.
    const svg = new DOMParser().parseFromString(renderSVG(url, { border: 2 }), "image/svg+xml");
    qr.replaceChildren(document.importNode(svg.documentElement, true));
  };
  show(link.value);

  // A phone scanning the code cannot reach this computer's localhost.
  lanHint.hidden = !LOCAL_HOSTS.has(location.hostname);

  copyButton.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(link.value);
      copyStatus.textContent = "Link copied.";
    } catch {
      // No clipboard access (an http:// page on another machine): select it for Ctrl+C instead.
      link.focus();
      link.select();
      copyStatus.textContent = "Press Ctrl+C (⌘C on a Mac) to copy the selected link.";
    }
  });
  link.addEventListener("focus", () => link.select());
  return show;
}
