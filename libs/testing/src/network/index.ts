export { TcpProxy } from './tcp-proxy';
export { freePort } from './free-port';
