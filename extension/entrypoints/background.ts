import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { supabaseAnonKey, supabaseUrl } from '../lib/config.ts';
import { createMessageHandler } from '../lib/message-handler.ts';

export default defineBackground(() => {
  const handleMessage = createMessageHandler({
    runtimeId: browser.runtime.id,
    apiUrl: supabaseUrl,
    anonKey: supabaseAnonKey,
  });

  // Answer through sendResponse: Chrome does not accept a returned promise from every version.
  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== browser.runtime.id) return false;
    handleMessage(message, sender).then(
      (response) => sendResponse(response),
      (error: unknown) => {
        console.error('Portrait: message failed', error);
        sendResponse(undefined);
      },
    );
    return true;
  });
});
