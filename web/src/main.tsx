import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.js';
import './shared/base.css';
import './shared/login.css';
import './shared/shell.css';
import './shared/tables.css';
import './shared/states.css';
import './composer/composer.css';
import './admin/admin.css';
import './qc/qc.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
