/** Who is told about a connection (R-V10, R-A11): the office's staff address and the account manager, where known. */
export interface NoticeRecipient {
  role: 'staff' | 'account-manager';
  email: string;
  name: string;
}

export function noticeRecipients(connection: {
  staffEmail: string | null;
  accountManager: { name: string | null; email: string | null };
}): NoticeRecipient[] {
  const recipients: NoticeRecipient[] = [];
  if (connection.staffEmail) recipients.push({ role: 'staff', email: connection.staffEmail, name: 'team' });
  if (connection.accountManager.email) {
    recipients.push({
      role: 'account-manager',
      email: connection.accountManager.email,
      name: connection.accountManager.name ?? '',
    });
  }
  return recipients;
}
