// Asks the server for its directory of rooms (GET /api/rooms, stage 08) and sends directory.js
// the JSON it answered, or null: not there (before stage 08, a 404), not JSON, or no answer.
// Why a worker: a 404 the page itself fetches shows in the browser's console as an error, and
// at stages 01-07 this one is expected, not a problem to look into. A worker's does not.
fetch("/api/rooms", { cache: "no-store" })
  .then((response) => (response.ok ? response.json() : null))
  .catch(() => null)
  .then((body) => postMessage(body));
