// A minimal chat page for every stage. It shows what the server sends and
// ignores what an earlier stage does not send yet.
const params = new URLSearchParams(location.search);
const room = params.get("room") || "default";
const $ = (id) => document.getElementById(id);
$("room").textContent = room;
$("name").value = localStorage.getItem("chat-name") || "";

let socket;
let myName;

$("join").addEventListener("submit", (event) => {
  event.preventDefault();
  myName = $("name").value.trim();
  localStorage.setItem("chat-name", myName);
  connect();
});

$("send").addEventListener("submit", (event) => {
  event.preventDefault();
  socket?.send(JSON.stringify({ message: $("message").value }));
  $("message").value = "";
  $("error").textContent = "";
});

function connect() {
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  url.search = new URLSearchParams({ room, name: myName }).toString();
  $("status").textContent = "connecting";
  socket = new WebSocket(url);
  socket.addEventListener("open", () => {
    $("status").textContent = "connected";
    $("join").hidden = true;
    $("send").hidden = false;
    $("message").focus();
  });
  socket.addEventListener("close", () => {
    $("status").textContent = "offline";
    $("join").hidden = false;
    $("send").hidden = true;
  });
  socket.addEventListener("message", (event) => show(JSON.parse(event.data)));
}

function show(frame) {
  if (frame.type === "message") {
    const item = document.createElement("li");
    item.classList.toggle("mine", frame.name === myName);
    const who = document.createElement("strong");
    who.textContent = `${frame.name}: `;
    item.append(who, frame.message); // text, never HTML
    if (frame.serverTime) {
      const time = document.createElement("time");
      time.dateTime = frame.serverTime;
      time.title = frame.serverTime;
      time.textContent = new Date(frame.serverTime).toLocaleTimeString();
      item.append(time);
    }
    $("messages").append(item);
    item.scrollIntoView({ block: "end" });
  } else if (frame.type === "users") {
    $("users").textContent = `${frame.count} online: ${frame.names.join(", ")}`;
  } else if (frame.type === "error") {
    $("error").textContent = frame.message;
  }
}
