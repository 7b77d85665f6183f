// Shared by the test pages. Everything received is rendered with textContent, never as HTML.
export async function loadConfig() {
  const config = await (await fetch('/config.json')).json();
  const override = new URLSearchParams(location.search).get('api');
  return { ...config, apiBaseUrl: (override || config.apiBaseUrl).replace(/\/$/, '') };
}

export function setStatus(text, ok) {
  const el = document.getElementById('status');
  el.textContent = text;
  el.className = `status ${ok ? 'ok' : 'bad'}`;
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  row.append(td);
}

/** Adds one notification (or a gap/info line) at the top of the table. */
export function showEvent(type, envelope, extra = '') {
  const row = document.createElement('tr');
  row.dataset.type = type;
  if (envelope?.messageId) row.dataset.messageId = envelope.messageId;
  cell(row, new Date().toLocaleTimeString());
  cell(row, type);
  cell(row, envelope?.payload?.id);
  cell(row, envelope?.payload?.fullName ?? extra);
  cell(row, envelope?.correlationId);
  cell(row, envelope?.messageId);
  // The trace the notification belongs to: look it up in Tempo (Grafana → Explore → Tempo).
  cell(row, envelope?.traceparent?.split('-')[1]);
  document.getElementById('events').prepend(row);
  const count = document.getElementById('count');
  count.textContent = String(Number(count.textContent) + (envelope ? 1 : 0));
}

export const notificationTypes = ['student.created', 'student.updated', 'student.cached', 'student.deleted'];

function link(parent, href, text) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  parent.append(a);
}

/** The pages' links, then the real API routes at the configured API base (`#api-links`). */
export function renderNav(apiBaseUrl) {
  const nav = document.getElementById('nav');
  link(nav, '/', 'index');
  link(nav, '/sse-test.html', 'SSE');
  link(nav, '/socketio-test.html', 'Socket.IO');
  const api = document.createElement('span');
  api.id = 'api-links';
  nav.append(api);
  for (const path of ['/api/students?limit=20', '/health', '/health/ready', '/metrics'])
    link(api, `${apiBaseUrl}${path}`, `API ${path}`);
}

// Constant markup (no received data in it): the "create a student" form and the notifications table.
const panelMarkup = `
  <form id="student-form">
    <strong>Create a student:</strong>
    <input name="firstName" value="Ada" required />
    <input name="lastName" value="Lovelace" required />
    <input name="email" type="email" required />
    <label><input type="checkbox" name="direct" /> direct to API (needs CORS)</label>
    <button type="submit">POST /api/students</button>
  </form>
  <div id="post-result"></div>
  <p>Notifications received: <span id="count">0</span></p>
  <table>
    <thead>
      <tr><th>time</th><th>type</th><th>student</th><th>name</th><th>correlation id</th><th>message id</th><th>trace id</th></tr>
    </thead>
    <tbody id="events"></tbody>
  </table>`;

/** What both test pages share: the nav, the student form and the notifications table (`#notification-panel`). */
export function mountPage(apiBaseUrl) {
  renderNav(apiBaseUrl);
  document.getElementById('notification-panel').innerHTML = panelMarkup;
  wireStudentForm(apiBaseUrl);
}

/**
 * The "create a student" form: POSTs through this service's proxy (no CORS needed), or straight to
 * the API when "direct" is ticked (then the API must allow this origin).
 */
function wireStudentForm(apiBaseUrl) {
  const form = document.getElementById('student-form');
  const result = document.getElementById('post-result');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      firstName: data.get('firstName'),
      lastName: data.get('lastName'),
      email: data.get('email'),
    };
    const url = data.get('direct') ? `${apiBaseUrl}/api/students` : '/proxy/api/students';
    const correlationId = crypto.randomUUID();
    // A new trace starts here, in the browser: its id shows beside the notifications it causes.
    const hex = (bytes) =>
      [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const traceId = hex(16);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-correlation-id': correlationId,
          traceparent: `00-${traceId}-${hex(8)}-01`,
        },
        body: JSON.stringify(body),
      });
      result.textContent = `POST ${url} → ${res.status} (correlation id ${correlationId}, trace id ${traceId}) ${await res.text()}`;
      result.dataset.correlationId = correlationId;
      result.dataset.traceId = traceId;
      result.dataset.status = String(res.status);
    } catch (error) {
      result.textContent = `POST ${url} failed: ${error}`;
    }
  });
  form.elements.email.value = `ada.${Date.now()}@example.test`;
}
