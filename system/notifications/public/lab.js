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
  document.getElementById('events').prepend(row);
  const count = document.getElementById('count');
  count.textContent = String(Number(count.textContent) + (envelope ? 1 : 0));
}

/** Links to the real API routes, at the configured API base. */
export function renderApiLinks(apiBaseUrl) {
  const nav = document.getElementById('api-links');
  for (const path of ['/api/students?limit=20', '/health', '/health/ready', '/metrics']) {
    const a = document.createElement('a');
    a.href = `${apiBaseUrl}${path}`;
    a.textContent = `API ${path}`;
    nav.append(a);
  }
}

/**
 * The "create a student" form: POSTs through this service's proxy (no CORS needed), or straight to
 * the API when "direct" is ticked (then the API must allow this origin).
 */
export function wireStudentForm(apiBaseUrl) {
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
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
        body: JSON.stringify(body),
      });
      result.textContent = `POST ${url} → ${res.status} (correlation id ${correlationId}) ${await res.text()}`;
      result.dataset.correlationId = correlationId;
      result.dataset.status = String(res.status);
    } catch (error) {
      result.textContent = `POST ${url} failed: ${error}`;
    }
  });
  form.elements.email.value = `ada.${Date.now()}@example.test`;
}
