/* Rapport's embed loader: one <script> tag puts Rapport's widgets into any store page. EMBEDDING.md is the guide.

     <script src="https://rapport.example/embed.js" async></script>
     <meta name="rapport-shopper-token" content="…">     (only when a shopper is signed in)
     <rapport-reviews product="KIT-00001"></rapport-reviews>

   Each widget is a custom element, so elements added at any time (single-page stores, infinite scroll) come to
   life by themselves. The widgets' WASM is fetched only once a widget that needs it is on the page (star badges
   and compact hearts are drawn here): at idle, or at once when a widget comes near the viewport (`loading="eager"` mounts at once,
   `loading="manual"` waits for `element.load()`).
   Each widget renders in its own shadow root; until it is ready it keeps the height it
   will need, so the page does not jump. Plain script, no inline code or styles: it works under a strict CSP. */
(() => {
  'use strict';
  const script = document.currentScript;
  if (!script || window.Rapport) return; // A second copy of the tag changes nothing.
  const server = new URL(script.src).origin;
  const option = (name, fallback) => script.getAttribute('data-' + name) || fallback;
  const links = [
    option('product-url', server + '/p/{sku}'),
    option('sign-in-url', server + '/sign-in'),
    option('account-url', server + '/account'),
  ];
  // Generated from the widget registry (app/src/embed/mod.rs), whose tests keep it in step.
  const TAGS = [
    'rapport-reviews',
    'rapport-wishlist-button',
    'rapport-wishlist',
    'rapport-price-alert',
    'rapport-alert-inbox',
    'rapport-tier-badge',
    'rapport-tier-progress',
    'rapport-feed',
    'rapport-also-bought',
    'rapport-also-viewed',
    'rapport-went-on-to',
    'rapport-my-alerts',
    'rapport-review-points',
    'rapport-stars',
    'rapport-product-view',
    'rapport-recently-viewed',
    'rapport-questions',
    'rapport-email-preferences',
  ];
  // Elements that show nothing: they mount at once, as nothing of them comes into view.
  const UNSEEN = [
    'rapport-product-view',
  ];
  // Elements about one product (`product="SKU"`).
  const NEEDS_PRODUCT = [
    'rapport-reviews',
    'rapport-wishlist-button',
    'rapport-price-alert',
    'rapport-also-bought',
    'rapport-also-viewed',
    'rapport-went-on-to',
    'rapport-stars',
    'rapport-product-view',
    'rapport-questions',
  ];
  // Elements that ask for the shopper's or guest's own data as they mount.
  const AS_VIEWER = [
    'rapport-wishlist-button',
    'rapport-wishlist',
    'rapport-price-alert',
    'rapport-my-alerts',
    'rapport-product-view',
  ];
  // Where a browser without a token asks for a guest session, and where it keeps the token.
  const GUEST_SESSION = '/api/start_guest_session';
  const TOKEN_KEY = 'rapport.token';
  // Where star badges ask for their stars (this many products a request at most), and what a product's SKU may be.
  const STAR_RATINGS = '/api/star_ratings';
  const MAX_STAR_RATINGS = 100;
  const SKU = /^[A-Za-z0-9._-]{1,64}$/;
  // Where compact hearts ask for their saved states (this many products a request at most) and save, with the
  // shopper's or guest's token in this header.
  const WISHLIST_STATES = '/api/wishlist_states';
  const MAX_WISHLIST_STATES = 100;
  const CHANGE_WISHLIST = '/api/change_wishlist';
  const TOKEN_HEADER = 'x-rapport-token';
  // Widgets the loader draws itself, with the flag that has it draw one ('' when it always does).
  const DRAWN_WHEN = {
    'rapport-wishlist-button': 'compact',
    'rapport-stars': '',
  };
  // What the widgets the loader draws say in each language (the first when nothing matches the page's): a counted
  // text in its form for one and for any other count.
  const SAID = {
    'en': {
      'number.group': ',',
      'wishlist.save': 'Save to wish list',
      'wishlist.saved': 'Saved',
      'common.error': 'Something went wrong: {message}',
      'error.no_such_product': 'There is no such product.',
      'error.product_unavailable': 'This product is not available.',
      'error.no_such_list': 'There is no such wish list.',
      'error.list_full': 'A wish list holds at most {max} items; remove some first.',
      'error.profile_unknown': 'The store has not shared your profile with us yet.',
      'error.sign_in_or_guest': 'Please sign in, or allow this site to remember you as a guest.',
      'error.token_invalid': 'The sign-in token is not valid; please sign in again.',
      'error.token_expired': 'Your sign-in has expired; please sign in again.',
      'error.guest_sessions': 'Too many new visitors from here at once; please try again in a minute.',
      'error.internal': 'Something went wrong on our side; please try again.',
      'error.network': 'Could not reach the store; check your connection and try again.',
      'reviews.stars_badge.one': 'Rated {average} out of 5 from {count} review',
      'reviews.stars_badge.other': 'Rated {average} out of 5 from {count} reviews',
    },
    'zh-CN': {
      'number.group': ',',
      'wishlist.save': '加入心愿单',
      'wishlist.saved': '已收藏',
      'common.error': '出错了：{message}',
      'error.no_such_product': '没有这件商品。',
      'error.product_unavailable': '这件商品已下架。',
      'error.no_such_list': '没有这个心愿单。',
      'error.list_full': '一个心愿单最多放 {max} 件商品，请先移除一些。',
      'error.profile_unknown': '商店还没有把你的资料同步给我们。',
      'error.sign_in_or_guest': '请登录，或允许本站以访客身份记住你。',
      'error.token_invalid': '登录凭证无效，请重新登录。',
      'error.token_expired': '你的登录已过期，请重新登录。',
      'error.guest_sessions': '这里同时来了太多新访客，请一分钟后再试。',
      'error.internal': '我们这边出了问题，请重试。',
      'error.network': '无法连接到商店，请检查网络后重试。',
      'reviews.stars_badge.one': '评分 {average}（满分 5 分），共 {count} 条评价',
      'reviews.stars_badge.other': '评分 {average}（满分 5 分），共 {count} 条评价',
    },
  };
  // Each element's settings: attribute, JS property, kind (count, flag or text), a count's default.
  const OPTIONS = {
    'rapport-reviews': [['product-name', 'productName', 'text']],
    'rapport-wishlist-button': [['compact', 'compact', 'flag']],
    'rapport-feed': [['per-section', 'perSection', 'count', 8]],
    'rapport-also-bought': [['limit', 'limit', 'count', 8]],
    'rapport-also-viewed': [['limit', 'limit', 'count', 8]],
    'rapport-went-on-to': [['limit', 'limit', 'count', 8]],
    'rapport-recently-viewed': [['limit', 'limit', 'count', 12]],
  };
  // End of the generated lists.
  // An element's JS properties, each mirroring its attribute: `product` where it takes one, and its settings.
  const properties = (tag) => [
    ...(NEEDS_PRODUCT.includes(tag) ? [['product', 'product', 'text']] : []),
    ...(OPTIONS[tag] || []),
  ];
  const FAILED = {
    en: 'This part of the page could not load.',
    zh: '此部分内容未能加载。',
  };
  const TOKEN_META = 'meta[name="rapport-shopper-token"]';

  // The widgets' files, the files (beside the glue) each chunk of their code needs, and each widget's chunk.
  // `rapport-tools publish-assets` names the published build here, in a folder named by its content, which browsers
  // keep.
  const FILES = { glue: '/widgets/rapport-widgets.js', wasm: '/widgets/rapport-widgets_bg.wasm', style: '/widgets/rapport-widgets.css', chunks: {}, chunkOf: {} };

  // Starts fetching a file the page will need before the code that needs it asks (which it then finds under way).
  const preloaded = new Set();
  const preload = (href, rel, as) => {
    if (preloaded.has(href)) return;
    preloaded.add(href);
    const link = document.createElement('link');
    link.rel = rel;
    if (as) link.as = as;
    link.crossOrigin = 'anonymous';
    link.href = href;
    document.head.append(link);
  };
  const besideGlue = (file) => new URL(file, server + FILES.glue).href;

  // Widgets that would ask as they mount: those the shopper will see (not `loading="manual"`), with a product
  // where they need one, and not drawn here (a compact heart asks for a guest only once pressed).
  const askingAsViewer = AS_VIEWER.filter((tag) => DRAWN_WHEN[tag] !== '')
    .map((tag) => {
      const product = NEEDS_PRODUCT.includes(tag) ? '[product]' : '';
      const drawn = DRAWN_WHEN[tag] ? `:not([${DRAWN_WHEN[tag]}])` : '';
      return `${tag}${product}${drawn}:not([loading="manual"])`;
    })
    .join(',');
  const namesShopper = () => Boolean(document.querySelector(TOKEN_META)?.content?.trim());
  // The token this browser keeps (a guest's, until the store names its shopper): '' when none, null when the
  // browser gives the page no storage to keep one in.
  const keptToken = () => {
    try {
      return window.localStorage.getItem(TOKEN_KEY) || '';
    } catch {
      return null;
    }
  };
  // The token requests go with: the page's shopper, else the one this browser keeps; '' when none.
  const viewerToken = () => document.querySelector(TOKEN_META)?.content?.trim() || keptToken() || '';
  // What went wrong, as the server's errors say it (`{code, message, translation}`), for what the loader meets.
  const problem = (code, key, message) => ({ code, message, translation: { key } });
  const unreached = (error) => problem('network', 'error.network', error.message);
  const unkept = () => problem('unauthorized', 'error.sign_in_or_guest', 'this browser keeps no token for the page');
  // A server function's answer: its JSON, or the error it gave (a proxy's HTML error page is an error of ours).
  const answerOf = async (path, response) => {
    const answer = await response.json().catch(() => undefined);
    if (response.ok && answer !== undefined) return answer;
    throw answer?.message ? answer : problem('internal', 'error.internal', `${path}: ${response.status}`);
  };
  // Asks for a guest session and keeps its token; settles with the error that kept it from coming, or null. One
  // request at a time, for the loader's early ask, a pressed heart and the WASM's widgets (`start_embed`) alike: the
  // page's visitor is one guest.
  let guestAsked = null;
  const askGuest = () =>
    (guestAsked ||= (keptToken() === null
      ? Promise.resolve(unkept()) // No storage to keep a token in: a session would be lost at once.
      : fetch(server + GUEST_SESSION, {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        }).then(
          async (response) => {
            const issued = await answerOf(GUEST_SESSION, response);
            if (typeof issued.token !== 'string') throw problem('internal', 'error.internal', `${GUEST_SESSION}: no token`);
            // The store may have named its shopper meanwhile: its token wins.
            if (namesShopper() || keptToken() !== '') return null;
            try {
              window.localStorage.setItem(TOKEN_KEY, issued.token);
            } catch {
              return unkept(); // Storage full, say.
            }
            return null;
          },
          unreached,
        )
    )
      .catch((error) => (error?.message ? error : problem('internal', 'error.internal', `${GUEST_SESSION}: ${error}`)))
      .finally(() => {
        guestAsked = null;
      }));
  // A first visit's widgets that want the shopper's own data need a guest session first. Asked for here, beside
  // the WASM, it is in by the time the widgets are built, where they would otherwise ask for it only then and
  // wait a round trip more. The WASM's widgets then find the token kept, or ask through `askGuest` again.
  const guestSession = () => {
    if (guestAsked || namesShopper() || !document.querySelector(askingAsViewer)) return;
    // With a token kept, or no storage to keep one in, the widgets ask as they need one.
    if (keptToken() === '') askGuest();
  };

  // A server function of the loader's widgets, called as a form post: settles with its answer, or rejects with the
  // error it gave. `asViewer` sends the viewer's token, which costs a CORS preflight; the public ones go without.
  const call = (path, form, asViewer) => {
    const token = asViewer && viewerToken();
    return fetch(server + path, {
      method: 'POST',
      headers: { accept: 'application/json', ...(token && { [TOKEN_HEADER]: token }) },
      body: new URLSearchParams(form),
    }).then(
      (response) => answerOf(path, response),
      (error) => {
        throw unreached(error);
      },
    );
  };
  // Asks `path` about many products at once: the SKUs asked for within one task go in one request (at most `max`
  // each), for a page's whole grid. `answerFor(answer, sku, index)` picks each product's part of the answer.
  // Settles with `{answer}`, or `{error}` for a SKU that cannot be one or a request that failed.
  const batched = (path, max, asViewer, answerFor) => {
    let wanted = null; // Each SKU asked for in this task, with the widgets waiting for it.
    const ask = () => {
      const skus = [...wanted];
      wanted = null;
      for (let from = 0; from < skus.length; from += max) {
        const batch = skus.slice(from, from + max);
        call(path, batch.map(([sku], index) => [`skus[${index}]`, sku]), asViewer)
          .then((answer) => {
            if (!Array.isArray(answer)) throw problem('internal', 'error.internal', `${path}: not a list`);
            batch.forEach(([sku, waiting], index) => {
              const part = answerFor(answer, sku, index);
              const error = problem('not_found', 'error.no_such_product', `${path}: nothing for "${sku}"`);
              for (const done of waiting) done(part ? { answer: part } : { error });
            });
          })
          .catch((error) => {
            // A widget answered above ignores this second call: a promise settles once.
            for (const [, waiting] of batch) for (const done of waiting) done({ error });
          });
      }
    };
    return (sku) =>
      new Promise((done) => {
        if (!SKU.test(sku)) {
          done({ error: problem('invalid', 'error.no_such_product', `"${sku}" cannot be a product's SKU`) });
          return;
        }
        if (!wanted) {
          wanted = new Map();
          setTimeout(ask);
        }
        if (!wanted.has(sku)) wanted.set(sku, []);
        wanted.get(sku).push(done);
      });
  };

  // Star badges are drawn here rather than by the WASM: a category page shows dozens, and a page of them alone then
  // fetches no WASM at all. The answer leaves out products it does not know.
  const starsOf = batched(STAR_RATINGS, MAX_STAR_RATINGS, false, (answer, sku) => answer.find((stars) => stars.sku === sku));
  // The supported language that best matches a page's `lang` (`zh`, `zh-Hans-CN` and `zh-CN` all give `zh-CN`).
  const localeOf = (tag) => {
    const locales = Object.keys(SAID);
    const wanted = tag.trim().toLowerCase();
    const language = wanted.split(/[-_]/)[0];
    return (
      locales.find((locale) => locale.toLowerCase() === wanted) ||
      locales.find((locale) => locale.split('-')[0] === language) ||
      locales[0]
    );
  };
  // Where a badge leads: the product's reviews on this page when it holds them, else on the product's own page.
  const reviewsOf = (sku) => {
    const reviews = document.querySelector(`rapport-reviews[product="${sku}"]`);
    if (!reviews) return links[0].replaceAll('{sku}', sku) + '#reviews';
    reviews.id ||= 'rapport-reviews-' + sku.replace(/[^A-Za-z0-9]/g, '-');
    return '#' + reviews.id;
  };
  const span = (className, text) => {
    const made = document.createElement('span');
    made.className = className;
    made.setAttribute('aria-hidden', 'true');
    made.textContent = text;
    return made;
  };
  // A product's average stars and review count, linking to its reviews; nothing while it has none (or is unknown,
  // which the console says). Asks at once; draws into `box` once the page's styles are in.
  const stars = (sku) =>
    starsOf(sku).then(({ answer: rating, error }) => (box, lang) => {
      if (error) console.warn(`Rapport: <rapport-stars>: ${error.message}`);
      const embed = document.createElement('div');
      embed.className = 'rapport-embed';
      const average = rating?.average?.toFixed(1);
      let badge;
      if (average == null) {
        const none = document.createElement('span');
        none.className = 'rapport-stars rapport-stars--none';
        none.dataset.count = '0';
        embed.append(none);
      } else {
        badge = document.createElement('a');
        badge.className = 'rapport-stars';
        badge.href = reviewsOf(sku);
        badge.dataset.count = rating.count;
        const glyphs = span('rapport-stars__glyphs', '★★★★★');
        // Set through the CSSOM, which a page's strict CSP allows where it refuses a style attribute.
        glyphs.style.setProperty('--rapport-stars-fill', `${Math.round(rating.average * 20)}%`);
        badge.append(glyphs, span('rapport-stars__average', average), span('rapport-stars__count', `(${rating.count})`));
        embed.append(badge);
      }
      // In place, so that a badge holding the keyboard's focus keeps it when the page changes language.
      const speak = (lang) => {
        const locale = localeOf(lang);
        embed.lang = locale;
        if (!badge) return;
        const said = SAID[locale];
        const counted = String(rating.count).replace(/\B(?=(\d{3})+$)/g, said['number.group']);
        const label = said[`reviews.stars_badge.${rating.count === 1 ? 'one' : 'other'}`];
        badge.setAttribute('aria-label', label.replaceAll('{average}', average).replaceAll('{count}', counted));
      };
      speak(lang);
      box.replaceChildren(embed);
      // What the element asks of a widget, as of one the WASM mounted.
      return { set_language: speak, unmount() {}, free() {} };
    });
  // An error as the page's language says it, as a widget of the WASM would: its own text where the loader has it,
  // else its English message, within `common.error` when it has no text at all.
  const errorText = (error, said) => {
    const key = error.translation?.key;
    const fill = (text, values) => text.replace(/\{(\w+)\}/g, (all, name) => values[name] ?? all);
    if (said[key]) return fill(said[key], error.translation.values || {});
    return key ? error.message : fill(said['common.error'], error);
  };

  // The compact heart of a product card is drawn here too (the full one, with its count and list chooser, is the
  // WASM's): a category page shows dozens. A browser without a token has nothing saved, so a first visit asks
  // nothing until a heart is pressed, which starts the guest session.
  const savedStates = batched(WISHLIST_STATES, MAX_WISHLIST_STATES, true, (answer, sku, index) => answer[index]);
  const stateOf = (sku) => (viewerToken() || !SKU.test(sku) ? savedStates(sku) : Promise.resolve({ answer: { lists: [] } }));
  const holds = (state) => Boolean(state?.lists.some(([, saved]) => saved));
  // Sign-ins and sign-outs so far: a heart that was asking meanwhile asks again for the viewer now.
  let identityChanges = 0;
  window.addEventListener('rapport:identity-change', () => identityChanges++);
  const heart = (sku) => {
    const seen = identityChanges;
    return stateOf(sku).then((first) => (box, lang) => {
      let { answer: state, error } = first;
      let said;
      let pressing = false;
      let follows = 0; // Asks for the state after a sign-in or out, and the last answered: the heart waits for it.
      let followed = 0;
      const embed = document.createElement('div');
      embed.className = 'rapport-embed';
      const wrap = document.createElement('div');
      wrap.className = 'rapport-wishlist-button rapport-wishlist-button--compact';
      wrap.setAttribute('part', 'wishlist-button');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'rapport-wishlist-button__heart';
      button.setAttribute('part', 'heart');
      const glyph = document.createElement('span');
      glyph.setAttribute('aria-hidden', 'true');
      const label = document.createElement('span');
      label.className = 'rapport-wishlist-button__label';
      button.append(glyph, label);
      const notice = document.createElement('p');
      notice.className = 'rapport-error';
      notice.setAttribute('role', 'alert');
      wrap.append(button);
      embed.append(wrap);
      // A heart whose state could not be read stays pressable: pressed, it asks again.
      const busy = () => (!state && !error) || pressing || follows !== followed;
      const show = () => {
        const saved = holds(state);
        const text = said[saved ? 'wishlist.saved' : 'wishlist.save'];
        button.setAttribute('aria-pressed', String(saved));
        button.setAttribute('aria-label', text);
        button.disabled = busy();
        glyph.textContent = saved ? '\u2665' : '\u2661';
        label.textContent = text;
        if (!error) {
          notice.remove();
          return;
        }
        notice.textContent = errorText(error, said);
        if (!notice.isConnected) wrap.append(notice); // Moved, a screen reader would announce it again.
      };
      const speak = (lang) => {
        const locale = localeOf(lang);
        embed.lang = locale;
        said = SAID[locale];
        show();
      };
      // Signing in or out (the store's page changing its token, the WASM moving a guest's saves) shows the other
      // viewer's state.
      const follow = () => {
        const turn = ++follows;
        show();
        stateOf(sku).then((now) => {
          if (turn !== follows || pressing) return; // A press under way asks again once done.
          followed = turn;
          [state, error] = [now.answer, now.error];
          show();
        });
      };
      // Saves the product in the default list, or takes it out of every list holding it (the heart means "saved
      // anywhere"), as a guest if the page names nobody.
      const press = async () => {
        if (busy()) return;
        if (!state) {
          follow();
          return;
        }
        const before = follows;
        pressing = true;
        show();
        try {
          if (!viewerToken()) {
            const refused = await askGuest();
            if (!viewerToken()) throw refused || unkept();
          }
          if (holds(state)) {
            for (const [list, saved] of state.lists) {
              if (saved) state = await call(CHANGE_WISHLIST, { sku, list_id: list.id, save: false }, true);
            }
          } else {
            state = await call(CHANGE_WISHLIST, { sku, save: true }, true);
          }
          error = null;
          const detail = { sku, saved: holds(state) };
          button.dispatchEvent(new CustomEvent('rapport:wishlist-change', { bubbles: true, composed: true, detail }));
        } catch (refused) {
          error = refused;
        }
        pressing = false;
        // Signed in or out meanwhile: what shows is the viewer's now.
        if (follows !== before) follow();
        else show();
      };
      button.addEventListener('click', press);
      window.addEventListener('rapport:identity-change', follow);
      speak(lang);
      box.replaceChildren(embed);
      if (identityChanges !== seen) follow();
      return {
        set_language: speak,
        unmount() {
          window.removeEventListener('rapport:identity-change', follow);
        },
        free() {},
      };
    });
  };

  // The widgets the loader draws, as the registry says (`Code::Loader`, `Code::LoaderWhen`, which a test holds
  // this to).
  const DRAWN = { 'rapport-wishlist-button': heart, 'rapport-stars': stars };

  let runtime;
  const load = () => {
    // The glue imports the chunks' loader and then fetches the WASM: both start now, with the glue, rather than
    // one after the other.
    preload(besideGlue('rapport-chunks.js'), 'modulepreload');
    preload(server + FILES.wasm, 'preload', 'fetch');
    if (runtime) return runtime;
    guestSession();
    return (runtime = import(server + FILES.glue)
      .then(async (wasm) => {
        await wasm.default({ module_or_path: server + FILES.wasm });
        wasm.start_embed(server, askGuest);
        return wasm;
      })
      .catch((error) => {
        runtime = undefined; // The next widget to load tries again (after a network blip, say).
        throw error;
      }));
  };
  // One stylesheet, fetched once and adopted by every shadow root: it applies the moment a widget renders (a
  // <link> in each root would load on its own, and the widget would show unstyled meanwhile). Browsers without
  // constructed stylesheets (Safari before 16.4) take the <link>, as does a widget whose fetch failed.
  let sheet;
  const constructed = 'adoptedStyleSheets' in ShadowRoot.prototype;
  const styles = () =>
    (sheet ||= constructed
      ? fetch(server + FILES.style)
          .then((response) => {
            if (!response.ok) throw new Error(`${FILES.style}: ${response.status}`);
            return response.text();
          })
          .then((css) => new CSSStyleSheet().replace(css))
          .catch((error) => {
            sheet = undefined;
            throw error;
          })
      : Promise.resolve(null));
  // A widget's chunks are fetched with the main WASM rather than after it, once the page mounts that widget.
  const fetchChunks = (tag) => {
    for (const stem of FILES.chunks[FILES.chunkOf[tag]] || []) {
      preload(besideGlue(stem + '.wasm'), 'preload', 'fetch');
    }
  };
  // Each file the page's widgets will need, fetched once the page is idle: the styles, and the WASM unless every
  // widget is one the loader draws.
  const fetchedAtIdle = new Set();
  const preloadWhenIdle = (fetchFiles) => {
    if (fetchedAtIdle.has(fetchFiles)) return;
    fetchedAtIdle.add(fetchFiles);
    const idle = window.requestIdleCallback || ((run) => setTimeout(run, 200));
    idle(() => fetchFiles().catch(() => {}), { timeout: 3000 });
  };
  const nearViewport = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) {
          nearViewport.unobserve(entry.target);
          entry.target.mount();
        }
      }
    },
    { rootMargin: '400px' },
  );

  class RapportWidget extends HTMLElement {
    connectedCallback() {
      if (!this.shadowRoot) {
        // A property the page set before this element was defined (the loader is async) hides the setter: pass
        // it on to the attribute.
        for (const [, name] of properties(this.localName)) {
          if (Object.hasOwn(this, name)) {
            const value = this[name];
            delete this[name];
            this[name] = value;
          }
        }
        const root = this.attachShadow({ mode: 'open' });
        this.box = document.createElement('div');
        this.box.setAttribute('part', 'widget');
        root.append(this.box);
      }
      if (this.widget) return;
      this.box.replaceChildren(); // What a failed try showed.
      // rapport-theme.css keeps each widget's usual height until it is ready; `reserve` sets another.
      this.style.minHeight = this.getAttribute('reserve') || '';
      this.box.setAttribute('aria-busy', 'true');
      this.setAttribute('data-rapport', 'loading');
      const when = UNSEEN.includes(this.localName) ? 'eager' : this.getAttribute('loading');
      // A widget asked for before (its settings changed since, say) comes back at once, however it loads.
      if (when === 'eager' || this.asked) {
        this.mount();
      } else if (when !== 'manual') {
        preloadWhenIdle(styles);
        // Not for a widget the loader draws, nor one without the product it needs (it only says so).
        if (!this.drawer() && !this.lacksProduct()) preloadWhenIdle(load);
        nearViewport.observe(this);
      }
    }

    // With loading="manual" the widget waits for this call (a tab opening, say); otherwise it loads itself.
    load() {
      return this.mount();
    }

    disconnectedCallback() {
      nearViewport.unobserve(this);
      // A widget moved elsewhere in the page is disconnected and connected again at once: keep it.
      queueMicrotask(() => this.isConnected || this.unmount());
    }

    attributeChangedCallback(name, before, after) {
      if (before === after || !this.box) return;
      if (!this.widget) {
        // A widget that failed (no product yet, say) or is still on its way starts again with what changed.
        if (this.getAttribute('data-rapport') === 'error' || this.pending) this.connectedCallback();
        return;
      }
      if (name === 'lang') {
        this.widget.set_language(this.language());
      } else {
        this.unmount();
        this.connectedCallback();
      }
    }

    // The widgets' stylesheet in this element's shadow root: the one `styles()` made, else a <link> to it.
    adopt(css) {
      const root = this.shadowRoot;
      if (css) {
        root.adoptedStyleSheets = [css];
      } else if (root.firstElementChild?.localName !== 'link') {
        const link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = server + FILES.style;
        root.prepend(link);
      }
    }

    // The loader's function that draws this element, if the loader draws it (with its flag, where it takes one).
    drawer() {
      const flag = DRAWN_WHEN[this.localName];
      return flag === '' || (flag && this.hasAttribute(flag)) ? DRAWN[this.localName] : null;
    }

    // Whether this element is about a product but names none.
    lacksProduct() {
      return NEEDS_PRODUCT.includes(this.localName) && !this.getAttribute('product')?.trim();
    }

    // What the shopper reads when the widget's code could not be fetched (the network, say).
    unavailable() {
      return this.language().toLowerCase().startsWith('zh') ? FAILED.zh : FAILED.en;
    }

    language() {
      return this.closest('[lang]')?.getAttribute('lang') || '';
    }

    async mount() {
      this.asked = true;
      if (this.widget) return;
      // Each try has its turn: one overtaken (its element taken away or its settings changed) is dropped.
      const turn = (this.turns = (this.turns || 0) + 1);
      this.pending = true;
      const current = () => turn === this.turns && this.isConnected && !this.widget;
      // The styles never hold a widget back: without them it still works, with a <link> trying again.
      const styled = styles().then(
        (css) => this.adopt(css),
        () => this.adopt(null),
      );
      // A product's widget without its product only says so, without fetching code it would not use.
      if (this.lacksProduct()) {
        this.pending = false;
        const tag = this.localName;
        const error = new Error(`<${tag}> needs a product attribute: the product's SKU, as in <${tag} product="KIT-00001">`);
        return this.fail(error.message, error);
      }
      // A widget the loader draws asks for its data at once, beside the styles; the others need the WASM first.
      const drawn = this.drawer();
      const ready = Promise.all([drawn ? drawn(this.getAttribute('product')?.trim()) : load(), styled]);
      if (!drawn) fetchChunks(this.localName);
      let made;
      try {
        [made] = await ready;
      } catch (error) {
        if (!current()) return;
        this.pending = false;
        return this.fail(this.unavailable(), error);
      }
      if (!current()) return;
      let widget;
      try {
        const settings = (OPTIONS[this.localName] || []).flatMap(([attribute]) =>
          this.hasAttribute(attribute) ? [attribute, this.getAttribute(attribute)] : [],
        );
        widget = drawn ? made(this.box, this.language()) : await made.mount_widget(
          this.box,
          this.localName,
          this.getAttribute('product'),
          this.language(),
          settings,
          ...links,
        );
      } catch (error) {
        if (!current()) return;
        this.pending = false;
        return this.fail(error?.name === 'RapportUnavailable' ? this.unavailable() : error.message, error);
      }
      if (!current()) {
        widget.unmount();
        widget.free();
        return;
      }
      this.pending = false;
      this.widget = widget;
      this.whenReady(() => {
        this.style.minHeight = '';
        this.box.removeAttribute('aria-busy');
        this.setAttribute('data-rapport', this.box.querySelector('.rapport-error') ? 'error' : 'ready');
        this.dispatchEvent(new CustomEvent('rapport:ready', { bubbles: true, composed: true }));
      });
    }

    // Ready once the widget shows its content, not a "loading" line or the mark of data still on its way, and
    // has kept it for a frame (a loaded section swaps its placeholder for its content in steps).
    whenReady(done) {
      const loaded = () => this.box.childElementCount > 0 && !this.box.querySelector('.rapport-loading');
      let settling = false;
      const check = () => {
        if (settling || !loaded()) return;
        settling = true;
        requestAnimationFrame(() => {
          settling = false;
          if (!loaded() || !this.stopWatching) return;
          this.stopWatching();
          this.stopWatching = null;
          done();
        });
      };
      const watch = new MutationObserver(check);
      watch.observe(this.box, { childList: true, subtree: true });
      this.stopWatching = () => watch.disconnect();
      check();
    }

    fail(message, error) {
      console.error('Rapport: <' + this.localName + '>', error);
      const notice = document.createElement('p');
      notice.className = 'rapport-error';
      notice.setAttribute('role', 'alert');
      notice.textContent = message;
      this.box.replaceChildren(notice);
      this.style.minHeight = '';
      this.box.removeAttribute('aria-busy');
      this.setAttribute('data-rapport', 'error');
    }

    unmount() {
      this.turns = (this.turns || 0) + 1; // A try still on its way is dropped.
      this.pending = false;
      this.stopWatching?.();
      this.stopWatching = null;
      if (this.widget) {
        this.widget.unmount();
        this.widget.free();
        this.widget = null;
      }
      this.box?.replaceChildren();
    }
  }

  // Widgets showing the shopper's own data follow the store signing its shopper in or out in place (a
  // single-page store changes the token's <meta>).
  let token = document.querySelector(TOKEN_META)?.content || '';
  new MutationObserver(() => {
    const now = document.querySelector(TOKEN_META)?.content || '';
    if (now === token) return;
    token = now;
    const detail = { signed_in: now.startsWith('v1.s.') };
    window.dispatchEvent(new CustomEvent('rapport:identity-change', { detail }));
    adoptGuest();
  }).observe(document.head, { subtree: true, childList: true, attributes: true, attributeFilter: ['content'] });
  // What a guest saved moves to the shopper the page names, once (the WASM's `start_embed` moves it, and then
  // follows the identity changes itself): a page whose widgets the loader draws, or that holds none, fetches the
  // WASM for it at idle, while this browser still keeps the guest's token.
  const adoptGuest = () => {
    if (!runtime && token.startsWith('v1.s.') && keptToken()?.startsWith('v1.g.')) preloadWhenIdle(load);
  };
  adoptGuest();

  if (!document.querySelector('link[href$="/rapport-theme.css"]')) {
    const theme = document.createElement('link');
    theme.rel = 'stylesheet';
    theme.href = server + '/rapport-theme.css';
    // First in the head: its cascade layer then comes before any the page declares, so the page's win.
    document.head.prepend(theme);
  }

  // Each setting is a JS property too, which reads and writes its attribute (the widget follows the attribute).
  const property = ([attribute, , kind, fallback]) => ({
    get() {
      const value = this.getAttribute(attribute);
      if (kind === 'flag') return value !== null;
      if (kind === 'count') return /^\s*\d+\s*$/.test(value ?? '') ? Number(value) : fallback;
      return value;
    },
    set(value) {
      if (kind === 'flag' ? !value : value == null) this.removeAttribute(attribute);
      else this.setAttribute(attribute, kind === 'flag' ? '' : String(value));
    },
  });
  for (const tag of TAGS) {
    if (customElements.get(tag)) continue;
    const element = class extends RapportWidget {
      static observedAttributes = ['product', 'lang', ...(OPTIONS[tag] || []).map(([attribute]) => attribute)];
    };
    for (const option of properties(tag)) Object.defineProperty(element.prototype, option[1], property(option));
    customElements.define(tag, element);
  }
  // The guest id inside a guest token (`v1.g.<base64url id>.…`), for the store's server to send that guest's events.
  const guestOf = (token) => {
    if (!token || !token.startsWith('v1.g.')) return null;
    const subject = token.split('.')[2].replace(/-/g, '+').replace(/_/g, '/');
    return atob(subject + '==='.slice((subject.length + 3) % 4));
  };
  window.Rapport = Object.freeze({
    server,
    // Records a product `view`, a `cart` addition or an `uncart` removal for the page's shopper or guest (EMBEDDING.md, "Browsing events").
    track: (kind, { sku, quantity } = {}) =>
      load().then((wasm) => wasm.track(String(kind), String(sku ?? ''), quantity == null ? undefined : Number(quantity))),
    guestId: () => load().then((wasm) => wasm.viewer_token()).then(guestOf),
    // For pages that cannot carry the token's <meta> (served from a full-page cache): names the signed-in shopper
    // from script. It writes the same <meta>, so the guest's saves move and the widgets follow exactly as with it.
    identify: (token) => {
      if (typeof token !== 'string' || !token.startsWith('v1.s.')) {
        throw new TypeError("Rapport.identify takes the shopper's token signed by the store's server (v1.s.…)");
      }
      let meta = document.querySelector(TOKEN_META);
      if (!meta) {
        meta = document.createElement('meta');
        meta.name = 'rapport-shopper-token';
        document.head.append(meta);
      }
      meta.content = token;
    },
    signOut: () => document.querySelector(TOKEN_META)?.remove(),
  });
})();
