/** account_data (Synapse's handlers/account_data.py): notifications; exceptions are logged. */
import { defineCategory, ignoreAndLog, runAll } from '../define.js';

export const accountData = defineCategory({
  name: 'account_data',
  description: 'Notification after a user account data change.',
  callbacks: {
    on_account_data_updated: {
      combine: runAll(),
      onError: ignoreAndLog(),
      // Synapse hands every callback the stored content dict itself; here each gets its own copy.
      args: ['shared', 'shared', 'shared', 'copy'],
    },
  },
});
