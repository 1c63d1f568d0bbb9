// Makes one request of the room API (stage 09) for api.js, and sends back its status, its
// Retry-After header and its JSON body (null when it has none), or status 0 when the server did
// not answer. Why a worker: an error status the page itself fetches shows in the browser's console
// as an error (rooms-worker.js says the same), and here refusals are expected answers: a wrong
// password (403), a name in use (409), and at stage 08 the 404 of a server without this API.
addEventListener("message", async (event) => {
  const { method, path, body, token } = event.data;
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  try {
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
    const json = await response.json().catch(() => null);
    postMessage({ status: response.status, retryAfter: response.headers.get("Retry-After"), body: json });
  } catch {
    postMessage({ status: 0, retryAfter: null, body: null });
  }
});
