export { formatTable } from './text-table';
