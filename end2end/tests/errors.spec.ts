import { expect, expectAccessible, failingURL, test } from './support';

// The browser records each response with an error status (Graph failing: 5xx) as a console
// error: expected here, and only here.
test.use({ allowedConsole: [/^Failed to load resource: the server responded with a status of 5\d\d/] });

// The second portal's simulator fails every request: the client retries for about half a
// minute, then the page must say what Graph said, with the request id. The page itself does
// not wait for Graph: it says the days are loading while the fetch goes on behind it; when the
// fetch fails, the page asks again and shows the error (a second half minute of retries).
test('Graph failing: the error shows its message and request id', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`${failingURL}/`);
  await expect(page.getByTestId('missing-days')).toBeVisible();
  const error = page.getByTestId('error').first();
  await expect(error).toBeVisible({ timeout: 150_000 });
  await expect(error).toHaveAttribute('role', 'alert');
  await expect(error.getByTestId('error-message')).toContainText('Microsoft Graph');
  await expect(error.getByTestId('request-id')).toContainText(/Request ID: [0-9a-f-]{36}/);
  await expect(page.getByTestId('glance')).toHaveCount(0);
  await expectAccessible(page);

  // A new range while Graph keeps failing: the progress bar shows, then the error again.
  await page.getByRole('link', { name: 'Last 7 days' }).click();
  await expect(page.getByTestId('progress')).toBeVisible();
  await expect(page.getByTestId('progress').locator('progress')).toBeVisible();
  await expect(page.getByTestId('progress')).toBeHidden({ timeout: 90_000 });
  await expect(page.getByTestId('error').first()).toContainText('Microsoft Graph');
});
