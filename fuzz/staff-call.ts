/** One call of the staff API while the fuzz sets up its data: a refusal stops the run with the API's answer. */
export async function staffCall(url: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(url, init);
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${await response.text()}`);
  return response.json();
}
