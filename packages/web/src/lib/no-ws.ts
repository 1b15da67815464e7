/** Stands in for the `ws` package in the browser bundle: browsers have a global WebSocket, so the SDK never loads this. */
export const WebSocket = undefined;
export default undefined;
