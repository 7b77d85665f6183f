/** The ways a listener receives notifications: Server-Sent Events or Socket.IO. */
export const transports = ['sse', 'socketio'] as const;

export type Transport = (typeof transports)[number];
