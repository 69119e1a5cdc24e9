import '../../assets/tailwind.css';
import { render } from 'preact';
import { Options } from '../../components/Options.tsx';
import { supabaseUrl } from '../../lib/config.ts';

const container = document.getElementById('app');
if (container) render(<Options apiUrl={supabaseUrl} />, container);
