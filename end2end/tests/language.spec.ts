import { FIRST_PRODUCT_SKU, expect, test, waitForHandler } from './support';

test('shopper switches the language to Chinese', async ({ page, javaScriptEnabled }) => {
  const sku = FIRST_PRODUCT_SKU;
  await page.goto(`/p/${sku}`);
  const html = page.locator('html');
  const accountLink = page.locator('header a.shop-header__link[href="/account"]');
  const addToCart = page.locator('form.shop-buy button[type="submit"]');
  const chinese = page.locator('a.shop-language__option[hreflang="zh-CN"]');
  await expect(html).toHaveAttribute('lang', 'en');
  await expect(accountLink).toHaveText('Account');
  await expect(addToCart).toHaveText('Add to cart');
  await expect(chinese).toHaveAttribute('href', '?lang=zh-CN');
  await expect(page.locator('a.shop-language__option[hreflang="en"]')).toHaveAttribute('aria-current', 'true');

  if (javaScriptEnabled) {
    // Hydrated, the switch happens in place: no new document, no `?lang=` in the address.
    await waitForHandler(page, 'click', 'a.shop-language__option');
    await page.evaluate(() => ((window as Window & { __samePage?: boolean }).__samePage = true));
    await chinese.click();
  } else {
    // Without JavaScript the link is a plain navigation; the server renders Chinese and remembers it in a cookie.
    await chinese.click();
    await expect(page).toHaveURL(new RegExp(`/p/${sku}\\?lang=zh-CN$`));
  }

  await expect(html).toHaveAttribute('lang', 'zh-CN');
  await expect(accountLink).toHaveText('我的账户');
  await expect(addToCart).toHaveText('加入购物车');
  await expect(page.locator('.shop-product__sku')).toHaveText(`商品编号 ${sku}`);
  await expect(chinese).toHaveAttribute('aria-current', 'true');

  if (javaScriptEnabled) {
    await expect(page).toHaveURL(new RegExp(`/p/${sku}$`));
    expect(await page.evaluate(() => (window as Window & { __samePage?: boolean }).__samePage)).toBe(true);
  }

  // The choice sticks: the next page the server renders is in Chinese too.
  await page.goto('/');
  await expect(html).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1, name: '大家喜爱的好物，为你精选' })).toBeVisible();
  await expect(accountLink).toHaveText('我的账户');
});
