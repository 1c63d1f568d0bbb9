// The join page (/c/<code>): the command to type, with this page's own address in it.
const match = location.pathname.match(/^\/c\/([^/]+)/);
if (match) {
  const code = decodeURIComponent(match[1]).toUpperCase();
  document.getElementById("code").textContent = code;
  document.title = `Join classroom ${code}`;
  document.getElementById("join-command").textContent = `npm run classroom:join -- ${location.origin}/c/${code} --as "<your name>"`;
}
