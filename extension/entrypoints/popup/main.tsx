import '../../assets/tailwind.css';
import { render } from 'preact';
import { createPopupStore } from '../../components/popup-store.ts';
import { Popup } from '../../components/Popup.tsx';
import { sendMessage } from '../../lib/messages.ts';

const store = createPopupStore(() => sendMessage({ type: 'portrait/status' }));
const container = document.getElementById('app');
if (container) render(<Popup store={store} />, container);
